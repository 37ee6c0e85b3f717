"""The HTML report's stylesheet: fluid on a phone, plain on paper, no external fonts."""

from __future__ import annotations

from mechctl.cli.styles import severity_css

CSS = (
    """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bad: #c92a2a; --good: #2b8a3e; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .2rem 0; } h2 { font-size: 1.25rem; margin: 2rem 0 .6rem;
  border-bottom: 2px solid var(--line); padding-bottom: .2rem; } h3 { font-size: 1rem; }
.muted { color: var(--muted); } .bad { color: var(--bad); font-weight: 600; }
.good { color: var(--good); } .warn { border-left: 4px solid var(--bad); padding: .4rem .8rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: .8rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .7rem .9rem; }
.card b { display: block; font-size: 2rem; line-height: 1.1; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; min-width: 100%; margin: .4rem 0 1rem; font-size: .92rem; }
td { white-space: nowrap; } td:last-child { white-space: normal; min-width: 16rem; }
th, td { text-align: left; padding: .3rem .6rem .3rem 0; border-bottom: 1px solid var(--line);
  vertical-align: top; } th { white-space: nowrap; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: .5rem; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
.spark { font-family: ui-monospace, monospace; letter-spacing: 1px; }
blockquote { margin: .3rem 0 .3rem 1rem; padding-left: .6rem; border-left: 3px solid var(--line);
  font-style: italic; }
"""
    + severity_css()
    + """
.on-track { color: var(--good); } .at-risk { color: #b07d00; } .off-track { color: var(--bad); }
@media (max-width: 600px) { main { padding: .6rem; } .charts { grid-template-columns: 1fr; }
  body { font-size: 14px; } }
@media print { body { font-size: 11pt; } main { max-width: none; padding: 0; }
  .card, figure { border-color: #999; } section, figure, table, tr { break-inside: avoid; }
  h2 { break-after: avoid; } .charts { grid-template-columns: 1fr 1fr; } a { color: inherit; } }
"""
)
