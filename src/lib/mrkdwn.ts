/** Escapes text from outside (users, AWS, pipelines) so Slack shows it as text, never as markup. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
