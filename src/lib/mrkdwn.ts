/** Escapes text from outside (users, AWS, pipelines) so Slack shows it as text, never as markup. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The text escapeMrkdwn was given: for reasons kept as plain text and escaped where they are shown. */
export function unescapeMrkdwn(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
