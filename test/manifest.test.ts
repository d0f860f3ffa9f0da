import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const schemaDir = new URL('./fixtures/manifest-schema/', import.meta.url);
const load = (name: string) =>
  JSON.parse(readFileSync(new URL(name, schemaDir), 'utf8')) as Record<string, unknown>;

describe('manifest.yml', () => {
  const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

  it("validates against Slack's manifest schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
    const v1 = load('manifest.schema.1.0.0.json');
    const validate = ajv.compile(v1);
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check is strict: an unknown key fails', () => {
    const validate = new Ajv({ strict: false, logger: false }).compile(load('manifest.schema.1.0.0.json'));
    expect(validate({ ...manifest, display_information: { name: 'Capstan', colour: 'red' } })).toBe(false);
  });

  it('declares /deploy with a usage hint, interactivity and the app_mention event', () => {
    const features = manifest.features as { slash_commands: { command: string; usage_hint?: string }[] };
    expect(features.slash_commands.map((c) => c.command)).toEqual(['/deploy']);
    const hint = features.slash_commands[0]?.usage_hint ?? '';
    for (const command of ['promote', 'status', 'rollback', 'history', 'stats', 'lock', 'help'])
      expect(hint.split(/[\s|]+/)).toContain(command);
    const settings = manifest.settings as {
      interactivity: { is_enabled: boolean };
      event_subscriptions: { bot_events: string[] };
    };
    expect(settings.interactivity.is_enabled).toBe(true);
    expect(settings.event_subscriptions.bot_events).toContain('app_mention');
  });

  it('enables the Home tab and subscribes to app_home_opened, which refreshes it', () => {
    const features = manifest.features as { app_home?: Record<string, boolean> };
    expect(features.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: true,
    });
    const settings = manifest.settings as { event_subscriptions: { bot_events: string[] } };
    expect(settings.event_subscriptions.bot_events).toEqual(['app_mention', 'app_home_opened']);
  });

  it('asks for exactly the scopes the code uses', () => {
    const scopes = (manifest.oauth_config as { scopes: { bot: string[] } }).scopes.bot;
    expect([...scopes].sort()).toEqual(
      [
        'app_mentions:read',
        'chat:write',
        'chat:write.public',
        'commands',
        'usergroups:read',
        'users:read',
        // files.uploadV2 (getUploadURLExternal, completeUploadExternal): the stats chart and the CSV export.
        'files:write',
      ].sort(),
    );
  });
});
