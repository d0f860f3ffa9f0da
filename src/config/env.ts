import { z } from 'zod';

export const envSchema = z.object({
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'must be a bot token (xoxb-…)'),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'must be an app-level token (xapp-…)').optional(),
  SLACK_API_URL: z.string().url('must be a URL such as https://slack.com/api/').optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  CAPSTAN_CONFIG: z.string().min(1).default('./capstan.yml'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Where Slack reaches Capstan from outside (the Home tab's chart is served there); no chart image without it. */
  CAPSTAN_PUBLIC_URL: z
    .string()
    .regex(
      /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/,
      'must be an http(s) URL without query, such as https://capstan.example.com',
    )
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
});

/** Checks that span several variables; kept out of the schema so they run even when a variable is invalid. */
export function envProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  return problems;
}

export type Env = z.infer<typeof envSchema>;
