/**
 * How the sandbox page shows Slack text, as plain browser JavaScript (the page has no build step):
 * `makeRenderer(directory, options)` returns `{ esc, mrkdwn, text, renderBlocks }`. The page embeds
 * this source; tests run the same source in node (`vm`) to check what a message looks like.
 *
 * Slack text carries `&amp;` `&lt;` `&gt;` as entities (what a person typed arrives escaped), and
 * `<…>` is markup: mentions of users (`<@U…>`), user groups (`<!subteam^S…>`, shown by handle),
 * channels, `<!here>`, dates (`<!date^…^{tokens}|fallback>`) and links. Emoji codes become emoji.
 *
 * No backticks and no dollar-brace in this source: it lives inside the page's template literal.
 */
export const RENDER_JS = String.raw`
function makeRenderer(directory, options) {
  const opts = options || {};
  const EMOJI = {
    approved: '✅', arrow_forward: '▶️', arrow_right: '➡️', arrows_counterclockwise: '🔄', bell: '🔔',
    black_square_for_stop: '⏹️', clock3: '🕒', closed_lock_with_key: '🔐', double_vertical_bar: '⏸️',
    exclamation: '❗', eyes: '👀', fast_forward: '⏩', grey_exclamation: '❕', grey_question: '❔',
    heavy_check_mark: '✔️', hourglass: '⌛', hourglass_flowing_sand: '⏳', information_source: 'ℹ️',
    large_blue_circle: '🔵', large_green_circle: '🟢', leftwards_arrow_with_hook: '↩️', link: '🔗', lock: '🔒',
    mag: '🔍', no_entry: '⛔', no_entry_sign: '🚫', octagonal_sign: '🛑', package: '📦', question: '❓',
    raised_hand: '✋', red_circle: '🔴', repeat: '🔁', rewind: '⏪', rocket: '🚀', rotating_light: '🚨',
    shield: '🛡️', snowflake: '❄️', stethoscope: '🩺', stopwatch: '⏱️', tada: '🎉', thumbsup: '👍', '+1': '👍', '-1': '👎',
    twisted_rightwards_arrows: '🔀', unlock: '🔓', warning: '⚠️', wastebasket: '🗑️',
    white_check_mark: '✅', white_circle: '⚪', x: '❌', zzz: '💤',
  };
  const dir = () => directory() || {};
  /** Slack text to HTML text: its entities stay entities, a bare & becomes one. */
  const esc = (s) => String(s).replace(/&(?!amp;|lt;|gt;)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const attr = (s) => esc(s).replace(/"/g, '&quot;');
  const emoji = (s) => s.replace(/:([a-z0-9_+-]+):/g, (m, n) => (Object.prototype.hasOwnProperty.call(EMOJI, n) ? EMOJI[n] : m));
  const find = (list, id) => (list || []).find((x) => x.id === id);
  const userName = (id) => (id === dir().bot ? 'capstan' : (find(dir().users, id) || {}).name || id);
  const channelName = (id) => (find(dir().channels, id) || {}).name || id;
  const mention = (label, extra) => '<span class="mention"' + (extra || '') + '>' + esc(label) + '</span>';

  const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const ordinal = (d) => d + (d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th');
  /** The calendar date and clock of an instant where the viewer is (options.timeZone, else the browser's). */
  function partsOf(ms) {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone: opts.timeZone, year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'long',
      hour: 'numeric', minute: '2-digit', second: '2-digit', hour12: true,
    });
    const p = {};
    for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
    return { y: Number(p.year), m: Number(p.month), d: Number(p.day), weekday: p.weekday, h: p.hour, min: p.minute, s: p.second, ampm: p.dayPeriod };
  }
  function ago(ms) {
    const now = opts.now ? opts.now() : Date.now();
    const secs = Math.round((now - ms) / 1000);
    const a = Math.abs(secs);
    const [n, unit] = a < 60 ? [a, 'second'] : a < 3600 ? [Math.round(a / 60), 'minute'] : a < 86400 ? [Math.round(a / 3600), 'hour'] : [Math.round(a / 86400), 'day'];
    const said = n + ' ' + unit + (n === 1 ? '' : 's');
    return secs >= 0 ? said + ' ago' : 'in ' + said;
  }
  /** Slack's date tokens (api.slack.com/reference/surfaces/formatting#date-formatting). */
  function slackDate(secs, format) {
    const ms = secs * 1000;
    const p = partsOf(ms);
    const now = opts.now ? opts.now() : Date.now();
    const day = (q) => q.y + '-' + q.m + '-' + q.d;
    const pretty = (fallback) => {
      const k = day(p);
      if (k === day(partsOf(now))) return 'today';
      if (k === day(partsOf(now - 86400000))) return 'yesterday';
      if (k === day(partsOf(now + 86400000))) return 'tomorrow';
      return fallback;
    };
    const date = MONTHS[p.m - 1] + ' ' + ordinal(p.d) + ', ' + p.y;
    const short = MONTHS[p.m - 1].slice(0, 3) + ' ' + p.d + ', ' + p.y;
    const long = p.weekday + ', ' + date;
    const tokens = {
      date_num: p.y + '-' + String(p.m).padStart(2, '0') + '-' + String(p.d).padStart(2, '0'),
      date, date_short: short, date_long: long,
      date_pretty: pretty(date), date_short_pretty: pretty(short), date_long_pretty: pretty(long),
      time: p.h + ':' + p.min + ' ' + p.ampm, time_secs: p.h + ':' + p.min + ':' + p.s + ' ' + p.ampm,
      ago: ago(ms),
    };
    return format.replace(/\{([a-z_]+)\}/g, (m, t) => (Object.prototype.hasOwnProperty.call(tokens, t) ? tokens[t] : m));
  }
  const SAFE_URL = /^(https?:\/\/|mailto:)/i;
  /** One <…> of Slack markup to HTML. */
  function markup(inner) {
    const bar = inner.indexOf('|');
    const target = bar < 0 ? inner : inner.slice(0, bar);
    const label = bar < 0 ? undefined : inner.slice(bar + 1);
    if (target.startsWith('@')) return mention('@' + userName(target.slice(1)));
    if (target.startsWith('#')) {
      const id = target.slice(1);
      return mention('#' + (find(dir().channels, id) ? channelName(id) : label || id), ' data-ch="' + attr(id) + '"');
    }
    if (target.startsWith('!subteam^')) {
      const id = target.slice('!subteam^'.length);
      const group = find(dir().groups, id);
      return mention(group ? '@' + group.handle : label || '@' + id);
    }
    if (target.startsWith('!date^')) {
      const [, secs, format, link] = target.split('^');
      const shown = Number.isFinite(Number(secs)) && format ? esc(slackDate(Number(secs), format)) : esc(label || '');
      return link && SAFE_URL.test(link) ? '<a href="' + attr(link) + '" target="_blank">' + shown + '</a>' : shown;
    }
    if (/^!(here|channel|everyone)$/.test(target)) return mention('@' + target.slice(1));
    if (SAFE_URL.test(target)) {
      const href = target.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
      return '<a href="' + attr(href) + '" target="_blank" rel="noopener">' + emoji(esc(label || target)) + '</a>';
    }
    return esc(label || target);
  }
  /** Slack's mrkdwn to HTML: markup, code, *bold*, _italic_, ~strike~, quotes, emoji, line breaks. */
  function mrkdwn(t) {
    const held = [];
    const hold = (html) => '\u0001' + (held.push(html) - 1) + '\u0002';
    let s = String(t == null ? '' : t).replace(/[\u0001\u0002]/g, '');
    s = s.replace(/<([^<>\n]*)>/g, (_, inner) => hold(markup(inner)));
    s = s.replace(/\x60\x60\x60\n?([\s\S]*?)\x60\x60\x60/g, (_, c) => hold('<pre>' + esc(c) + '</pre>'));
    s = s.replace(/\x60([^\x60\n]+)\x60/g, (_, c) => hold('<code>' + esc(c) + '</code>'));
    s = esc(s);
    s = s.replace(/(^|[^\w*])\*([^*\n]+)\*(?!\w)/g, '$1<b>$2</b>');
    s = s.replace(/(^|[^\w])_([^_\n]+)_(?!\w)/g, '$1<i>$2</i>');
    s = s.replace(/(^|[^\w~])~([^~\n]+)~(?!\w)/g, '$1<s>$2</s>');
    s = emoji(s);
    s = s.split('\n').map((line) => (line.startsWith('&gt; ') ? '<blockquote>' + line.slice(5) + '</blockquote>' : line)).join('\n');
    s = s.replace(/\n/g, '<br>');
    while (/\u0001\d+\u0002/.test(s)) s = s.replace(/\u0001(\d+)\u0002/g, (_, i) => held[Number(i)]);
    return s;
  }
  /** A text object: plain_text is shown as typed (emoji converted), mrkdwn as Slack formats it. */
  const text = (o) => (o ? (o.type === 'plain_text' ? emoji(esc(o.text)) : mrkdwn(o.text)) : '');
  /** An image block by its image_url (http or https only), titled, with its alt text; a slack_file shows as its title. */
  function image(b) {
    const title = b.title ? '<div class="caption">' + text(b.title) + '</div>' : '';
    if (!/^https?:\/\//i.test(b.image_url || '')) return '<div class="block image">' + title + '</div>';
    return '<div class="block image">' + title + '<img src="' + attr(b.image_url) + '" alt="' + attr(b.alt_text || '') + '" loading="lazy"></div>';
  }
  /** Plain text (a file's name or title) as HTML: every &, <, > and quote escaped. */
  const plain = (s) => String(s == null ? '' : s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  /** A file shared with a message: an image shown as one, anything else a link that downloads it, by its http(s) url_private. */
  function file(f) {
    const url = f.url_private || '';
    const title = plain(f.title || f.name);
    if (!/^https?:\/\//i.test(url)) return '<div class="block file">' + title + '</div>';
    if (/^image\//.test(f.mimetype || '')) return '<div class="block image file"><img src="' + plain(url) + '" alt="' + plain(f.alt_txt || f.title || f.name) + '" title="' + title + '" loading="lazy"></div>';
    return '<div class="block file"><a href="' + plain(url) + '" download="' + plain(f.name) + '" target="_blank" rel="noopener">📄 ' + title + '</a>'
      + (f.name && f.name !== f.title ? ' <span class="context">' + plain(f.name) + '</span>' : '') + '</div>';
  }
  function renderBlocks(m) {
    const shared = (m.files || []).map(file).join('');
    if (!m.blocks || m.blocks.length === 0) return (m.text || !shared ? '<div class="block">' + mrkdwn(m.text) + '</div>' : '') + shared;
    return m.blocks.map((b) => {
      switch (b.type) {
        case 'header': return '<div class="block header">' + text(b.text) + '</div>';
        case 'section': return '<div class="block">' + (b.text ? text(b.text) : '') + (b.fields ? '<div class="fields">' + b.fields.map((f) => '<div>' + text(f) + '</div>').join('') + '</div>' : '') + '</div>';
        case 'context': return '<div class="block context">' + (b.elements || []).map(text).join(' · ') + '</div>';
        case 'divider': return '<div class="divider"></div>';
        case 'image': return image(b);
        case 'actions': return '<div class="block actions">' + (b.elements || []).map((e, i) => '<button type="button" class="' + attr(e.style || '') + '" data-action-id="' + attr(e.action_id) + '" data-block="' + attr(b.block_id || '') + '" data-i="' + i + '" data-ts="' + attr(m.ts) + '" data-channel="' + attr(m.channel) + '">' + text(e.text) + '</button>').join('') + '</div>';
        default: return '';
      }
    }).join('') + shared;
  }
  return { esc, mrkdwn, text, renderBlocks, emojiCodes: Object.keys(EMOJI) };
}
`;
