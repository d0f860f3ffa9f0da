import { RENDER_JS } from './render.js';

/** The page's icon, a Capstan-purple square with a white C: inline, so the browser asks for no /favicon.ico. */
export const FAVICON_SVG =
  "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><rect width='16' height='16' rx='3' fill='#3f0e40'/><path d='M11 5.2A3.6 3.6 0 1 0 11 10.8' fill='none' stroke='#fff' stroke-width='2'/></svg>";
const FAVICON_HREF = `data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}`;

/** The sandbox's Slack-like channel page: plain HTML and JavaScript, no build step. */
export const PAGE = String.raw`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Capstan sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/svg+xml" href="${FAVICON_HREF}">
<style>
*{box-sizing:border-box}body{margin:0;font:15px/1.46 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d1c1d;display:flex;height:100vh}
#side{width:240px;background:#3f0e40;color:#cfc3cf;display:flex;flex-direction:column;padding:12px 0}
#side h1{font-size:17px;color:#fff;margin:0 16px 4px}#side .banner{margin:0 16px 12px;font-size:12px;background:#e8912d;color:#1d1c1d;border-radius:4px;padding:4px 6px;font-weight:700}
#side .sec{margin:14px 16px 4px;font-size:13px;text-transform:uppercase;letter-spacing:.04em;opacity:.8}
.ch{padding:3px 16px;cursor:pointer}.ch.active{background:#1164a3;color:#fff}.ch:hover:not(.active){background:#350d36}
#side select,#side button{margin:4px 16px;padding:6px;border-radius:4px;border:0;font:inherit}
#main{flex:1;display:flex;flex-direction:column;min-width:0}#top{border-bottom:1px solid #ddd;padding:10px 20px;font-weight:700;font-size:18px}
#msgs{flex:1;overflow-y:auto;padding:8px 0}#composer{padding:12px 20px;border-top:1px solid #ddd}
#composer input{width:100%;padding:10px 12px;font:inherit;border:1px solid #bbb;border-radius:8px}
.msg{display:flex;padding:6px 20px;gap:10px}.msg:hover{background:#f8f8f8}.avatar{width:36px;height:36px;border-radius:6px;background:#1d3557;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:700;flex:none}
.who{font-weight:800}.app{font-size:11px;background:#ddd;border-radius:3px;padding:0 4px;margin-left:4px;color:#555}.edited{color:#888;font-size:12px}
.eph{background:#f4f7fb;border-left:3px solid #1264a3}.eph .only{font-size:12px;color:#616061}
.block{margin:4px 0}.header{font-size:17px;font-weight:800}.fields{display:grid;grid-template-columns:1fr 1fr;gap:6px 16px}
.context{font-size:12.5px;color:#616061}.divider{border-top:1px solid #ddd;margin:8px 0}
.actions button{margin:4px 6px 0 0;padding:5px 14px;border-radius:4px;border:1px solid #bbb;background:#fff;font:inherit;font-weight:700;cursor:pointer}
.actions button.primary{background:#007a5a;color:#fff;border-color:#007a5a}.actions button.danger{background:#e01e5a;color:#fff;border-color:#e01e5a}
code{background:#f6f6f6;border:1px solid #e1e1e1;border-radius:3px;padding:0 3px;font-size:13px;color:#c01343}
pre{background:#f6f6f6;border:1px solid #e1e1e1;border-radius:4px;padding:6px 8px;margin:4px 0;white-space:pre-wrap;font-size:13px}blockquote{border-left:4px solid #ddd;margin:2px 0;padding-left:10px}
.replies{color:#1264a3;font-size:13px;font-weight:700;cursor:pointer;margin-top:2px}
#thread{width:420px;border-left:1px solid #ddd;display:none;flex-direction:column}#thread.open{display:flex}#thread .top{padding:10px 16px;border-bottom:1px solid #ddd;font-weight:700;display:flex;justify-content:space-between}
#tmsgs{flex:1;overflow-y:auto}.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}.mention[data-ch]{cursor:pointer}
#thread .top .where{font-weight:400;color:#616061;margin-left:6px}#tcomposer{padding:10px 16px;border-top:1px solid #ddd}
#tcomposer input{width:100%;padding:8px 10px;font:inherit;border:1px solid #bbb;border-radius:8px}
.time{color:#616061;font-size:12px;margin-left:6px}.msg .body{min-width:0;flex:1;overflow-wrap:anywhere}.msg.hl{background:#fdf3d2}
#home{display:none;flex:1;overflow-y:auto;padding:12px 24px 24px}#main.home #home{display:block}#main.home #msgs,#main.home #composer{display:none}
#top .tabs{font-size:14px;font-weight:400;margin-left:14px}#top .tab{padding:0 2px 6px;border-bottom:2px solid #007a5a;font-weight:700}
.block.file a{font-weight:700}.block.image img{display:block;max-width:min(100%,720px);height:auto;border:1px solid #e1e1e1;border-radius:6px;margin-top:4px}.block.image .caption{font-size:13px;color:#616061}
#home .header{margin-top:14px}#home .fields{margin-top:4px}#home .fields>div{padding:6px 0}
@media (max-width:900px){#side{width:180px}.ch{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:14px}#thread{position:fixed;top:0;right:0;bottom:0;left:180px;width:auto;background:#fff;z-index:5}#msgs .msg,#composer,#top{padding-left:14px;padding-right:14px}#home{padding:10px 14px 20px}}
#overlay{position:fixed;inset:0;background:rgba(0,0,0,.45);display:none;align-items:center;justify-content:center}#overlay.open{display:flex}
.dialog{background:#fff;border-radius:8px;padding:20px 24px;width:460px;box-shadow:0 8px 30px rgba(0,0,0,.3)}.dialog h2{margin:0 0 10px;font-size:20px}
.dialog .buttons{margin-top:18px;text-align:right}.dialog button{margin-left:8px;padding:7px 16px;border-radius:4px;border:1px solid #bbb;background:#fff;font:inherit;font-weight:700;cursor:pointer}
.dialog button.go{background:#007a5a;color:#fff;border-color:#007a5a}.dialog button.go.danger{background:#e01e5a;border-color:#e01e5a}.dialog textarea{width:100%;min-height:80px;font:inherit;margin-top:6px}
</style></head><body>
<nav id="side"><h1>Capstan sandbox</h1><div class="banner">SANDBOX: simulated Slack and AWS</div>
<div class="sec">Acting as</div><select id="user" aria-label="Acting as"></select>
<div class="sec">Channels</div><div id="channels"></div>
<div class="sec">Apps</div><div class="ch" id="homeLink" data-home="1">Capstan</div>
<div class="sec">Pipeline</div><button id="pipeline" type="button">Start todobackend-pipeline</button></nav>
<main id="main"><div id="top"></div><div id="msgs" aria-live="polite"></div><div id="home" aria-live="polite"></div>
<form id="composer"><input id="input" autocomplete="off" placeholder="/deploy todobackend 1.2.3  ·  @capstan status" aria-label="Message"></form></main>
<aside id="thread" aria-label="Thread"><div class="top"><span>Thread<span class="where" id="threadWhere"></span></span><a href="#" id="closeThread">close</a></div><div id="tmsgs" aria-live="polite"></div>
<form id="tcomposer"><input id="tinput" autocomplete="off" placeholder="Reply…  try @capstan status" aria-label="Reply in thread"></form></aside>
<div id="overlay"><div class="dialog" id="dialog" role="dialog" aria-modal="true"></div></div>
<script>${RENDER_JS}
const $ = (s) => document.querySelector(s);
let state = { users: [], channels: [], groups: [], messages: [], bot: 'UCAPSTAN' }, channel = '', user = '', thread = '', view = 'channel', highlight = '';
const { esc, text, renderBlocks } = makeRenderer(() => state);
const nameOf = (id) => id === state.bot ? 'capstan' : (state.users.find((u) => u.id === id) || {}).name || id;
const chName = (id) => (state.channels.find((c) => c.id === id) || {}).name || id;
const when = (ts) => new Date(Number(ts) * 1000);
function renderMsg(m, inThread) {
  const replies = inThread ? [] : state.messages.filter((r) => r.threadTs === m.ts && r.channel === m.channel);
  const bot = m.user === state.bot;
  const at = when(m.ts);
  return '<div class="msg' + (m.ephemeral ? ' eph' : '') + (m.ts === highlight ? ' hl' : '') + '" data-ts="' + m.ts + '"><div class="avatar">' + (bot ? 'C' : esc(nameOf(m.user)).slice(0,1).toUpperCase()) + '</div><div class="body">'
    + '<span class="who">' + (bot ? 'Capstan' : esc(nameOf(m.user))) + '</span>' + (bot ? '<span class="app">APP</span>' : '')
    + '<time class="time" datetime="' + at.toISOString() + '" title="' + esc(at.toLocaleString()) + '">' + esc(at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })) + '</time>'
    + (m.edits ? ' <span class="edited">(edited)</span>' : '')
    + (m.ephemeral ? ' <span class="only">Only visible to you</span>' : '') + renderBlocks(m)
    + (replies.length ? '<div class="replies" data-thread="' + m.ts + '">' + replies.length + (replies.length === 1 ? ' reply' : ' replies') + '</div>' : '') + '</div></div>';
}
function render() {
  $('#channels').innerHTML = state.channels.map((c) => '<div class="ch' + (view === 'channel' && c.id === channel ? ' active' : '') + '" data-ch="' + c.id + '" title="#' + esc(c.name) + '"># ' + esc(c.name) + '</div>').join('');
  $('#homeLink').classList.toggle('active', view === 'home');
  $('#main').classList.toggle('home', view === 'home');
  if (view === 'home') {
    $('#top').innerHTML = 'Capstan<span class="tabs"><span class="tab">Home</span></span>';
    $('#home').innerHTML = state.home ? renderBlocks({ blocks: state.home.blocks, text: '' }) : '<div class="block context">Capstan has not published a Home tab for you yet.</div>';
  } else {
    $('#top').textContent = '# ' + chName(channel);
    const box = $('#msgs'); const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    box.innerHTML = state.messages.filter((m) => m.channel === channel && !m.threadTs).map((m) => renderMsg(m, false)).join('');
    if (atBottom) box.scrollTop = box.scrollHeight;
  }
  if (thread) {
    const parent = state.messages.find((m) => m.ts === thread && m.channel === channel);
    const box = $('#tmsgs'); const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    $('#threadWhere').textContent = '# ' + chName(channel);
    box.innerHTML = (parent ? renderMsg(parent, true) : '') + state.messages.filter((m) => m.threadTs === thread && m.channel === channel).map((m) => renderMsg(m, true)).join('');
    if (atBottom) box.scrollTop = box.scrollHeight;
  }
  if (state.modal && !$('#overlay').classList.contains('open')) openModal(state.modal);
}
function openThread(ts) { thread = ts; $('#thread').classList.add('open'); render(); const box = $('#tmsgs'); box.scrollTop = box.scrollHeight; }
function closeThread() { thread = ''; $('#thread').classList.remove('open'); }
function showChannel(id) { channel = id; view = 'channel'; highlight = ''; closeThread(); render(); }
function showHome() { view = 'home'; closeThread(); render(); post('/ui/home', { user }); }
/** A permalink (/archives/C…/p1700000000000123[?thread_ts=…]) opens the message's thread, as Slack does. */
function openPermalink(href) {
  const u = new URL(href, location.href);
  const m = /^\/archives\/([A-Z0-9]+)\/p(\d{7,})$/.exec(u.pathname);
  if (!m || u.origin !== location.origin) return false;
  const ts = m[2].slice(0, -6) + '.' + m[2].slice(-6);
  const msg = state.messages.find((x) => x.channel === m[1] && x.ts === ts);
  channel = m[1]; view = 'channel'; highlight = ts;
  openThread((msg && msg.threadTs) || u.searchParams.get('thread_ts') || ts);
  const el = document.querySelector('#tmsgs .msg[data-ts="' + ts + '"]'); if (el) el.scrollIntoView({ block: 'center' });
  if (location.pathname + location.search !== u.pathname + u.search) history.pushState(null, '', u.pathname + u.search);
  return true;
}
async function refresh() { state = await (await fetch('/ui/state?user=' + encodeURIComponent(user))).json(); if (!channel) channel = state.channels[0].id; render(); }
async function post(path, body) { await fetch(path, { method: 'POST', body: JSON.stringify(body) }); await refresh(); }
function dialog(html) { $('#dialog').innerHTML = html; $('#overlay').classList.add('open'); }
function closeDialog() { $('#overlay').classList.remove('open'); }
function openModal(v) {
  const inputs = (v.blocks || []).filter((b) => b.type === 'input');
  dialog('<h2>' + text(v.title) + '</h2>' + (v.blocks || []).filter((b) => b.type === 'section').map((b) => '<p>' + text(b.text) + '</p>').join('')
    + inputs.map((b) => '<label>' + text(b.label) + '<textarea data-block="' + b.block_id + '" data-action="' + b.element.action_id + '"></textarea></label>').join('')
    + '<div class="buttons"><button type="button" id="deny">' + text(v.close) + '</button><button type="button" class="go" id="go">' + text(v.submit) + '</button></div>');
  $('#deny').onclick = closeDialog;
  $('#go').onclick = () => { const values = {}; document.querySelectorAll('#dialog textarea').forEach((t) => { values[t.dataset.block] = { [t.dataset.action]: t.value }; }); closeDialog(); post('/ui/view', { user, values: JSON.stringify(values) }); };
}
document.addEventListener('click', (ev) => {
  const link = ev.target.closest('a[href]');
  if (link && link.id !== 'closeThread') { if (openPermalink(link.href)) ev.preventDefault(); return; }
  const t = ev.target.closest('[data-ch],[data-home],[data-thread],button[data-action-id],#closeThread');
  if (!t) return;
  if (t.id === 'closeThread') { ev.preventDefault(); highlight = ''; closeThread(); return; }
  if (t.dataset.ch) { showChannel(t.dataset.ch); return; }
  if (t.dataset.home) { showHome(); return; }
  if (t.dataset.thread) { highlight = ''; openThread(t.dataset.thread); return; }
  const m = state.messages.find((x) => x.ts === t.dataset.ts && x.channel === t.dataset.channel);
  const block = (m.blocks || []).find((b) => b.type === 'actions' && (b.block_id || '') === t.dataset.block);
  const el = block.elements[Number(t.dataset.i)];
  const go = () => post('/ui/click', { user, channel: m.channel, ts: m.ts, actionId: el.action_id, value: el.value || '', blockId: block.block_id || '' });
  if (!el.confirm) return go();
  const c = el.confirm;
  dialog('<h2>' + text(c.title) + '</h2><p>' + text(c.text) + '</p><div class="buttons"><button type="button" id="deny">' + text(c.deny) + '</button><button type="button" class="go ' + (c.style || '') + '" id="go">' + text(c.confirm) + '</button></div>');
  $('#deny').onclick = closeDialog; $('#go').onclick = () => { closeDialog(); go(); };
});
$('#composer').onsubmit = (ev) => { ev.preventDefault(); const v = $('#input').value.trim(); if (!v) return; $('#input').value = ''; post('/ui/message', { user, channel, text: v }); };
$('#tcomposer').onsubmit = (ev) => { ev.preventDefault(); const v = $('#tinput').value.trim(); if (!v || !thread) return; $('#tinput').value = ''; post('/ui/message', { user, channel, text: v, threadTs: thread }); };
$('#user').onchange = () => { user = $('#user').value; if (view === 'home') showHome(); else refresh(); };
window.onpopstate = () => { if (!openPermalink(location.href)) { highlight = ''; closeThread(); render(); } };
$('#pipeline').onclick = () => post('/ui/pipeline', {});
(async () => { await refresh(); $('#user').innerHTML = state.users.map((u) => '<option value="' + u.id + '">' + esc(u.name) + ' (' + esc(u.role || '') + ')</option>').join(''); user = state.users[0].id; $('#user').value = user; await refresh(); openPermalink(location.href); setInterval(refresh, 700); })();
</script></body></html>`;
