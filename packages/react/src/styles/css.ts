/**
 * The widget's stylesheet. Every selector starts with `.rk-root`, so nothing leaks into the host page; the host
 * themes it by overriding the `--rk-*` variables on `.rk-root` (or on an ancestor, since they inherit).
 * Colours meet WCAG AA contrast (≥ 4.5:1 for text) in both themes.
 */
export const ragkitCss = `
.rk-root{--rk-bg:#ffffff;--rk-fg:#1a1a1f;--rk-muted:#5b5b66;--rk-surface:#f4f4f7;--rk-border:#d9d9e0;--rk-accent:#2f54eb;--rk-accent-fg:#ffffff;--rk-success:#1f7a3d;--rk-warning:#8a5300;--rk-danger:#b42318;--rk-highlight:#fff1a8;--rk-radius:10px;--rk-font:ui-sans-serif,system-ui,-apple-system,"Segoe UI",sans-serif;
color:var(--rk-fg);font-family:var(--rk-font);font-size:14px;line-height:1.5}
.rk-root.rk-dark{--rk-bg:#16161a;--rk-fg:#ececf1;--rk-muted:#a8a8b3;--rk-surface:#22222a;--rk-border:#3a3a46;--rk-accent:#8aa4ff;--rk-accent-fg:#0d0d12;--rk-success:#5fd38a;--rk-warning:#f0b45a;--rk-danger:#ff8a80;--rk-highlight:#6b5a00}
@media (prefers-color-scheme:dark){.rk-root.rk-auto{--rk-bg:#16161a;--rk-fg:#ececf1;--rk-muted:#a8a8b3;--rk-surface:#22222a;--rk-border:#3a3a46;--rk-accent:#8aa4ff;--rk-accent-fg:#0d0d12;--rk-success:#5fd38a;--rk-warning:#f0b45a;--rk-danger:#ff8a80;--rk-highlight:#6b5a00}}
.rk-root *,.rk-root *::before,.rk-root *::after{box-sizing:border-box}
.rk-root [data-copilotkit][data-copilotkit]{--background:var(--rk-bg);--foreground:var(--rk-fg);--primary:var(--rk-accent);--primary-foreground:var(--rk-accent-fg);--muted-foreground:var(--rk-muted);--border:var(--rk-border);--radius:var(--rk-radius);--cpk-default-font-family:var(--rk-font)}
.rk-root .rk-card{background:var(--rk-bg);border:1px solid var(--rk-border);border-radius:var(--rk-radius);padding:12px 14px;margin:8px 0}
.rk-root .rk-row{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.rk-root .rk-muted{color:var(--rk-muted)}
.rk-root .rk-title{font-weight:600;margin:0 0 6px;font-size:14px}
.rk-root .rk-btn{font:inherit;border:1px solid var(--rk-border);background:var(--rk-surface);color:var(--rk-fg);border-radius:8px;padding:4px 12px;min-height:32px;cursor:pointer}
.rk-root .rk-icon{display:inline-flex;align-items:center;justify-content:center;width:32px;padding:0;flex:none}
.rk-root .rk-btn:hover{border-color:var(--rk-accent)}
.rk-root .rk-btn:disabled{opacity:.55;cursor:not-allowed}
.rk-root .rk-btn-primary{background:var(--rk-accent);color:var(--rk-accent-fg);border-color:var(--rk-accent)}
.rk-root .rk-btn-danger{color:var(--rk-danger)}
.rk-root :focus-visible{outline:2px solid var(--rk-accent);outline-offset:2px}
.rk-root [data-testid=copilot-chat-textarea]:focus-visible{outline:none}
.rk-root [data-testid=copilot-chat-input]:focus-within{outline:2px solid var(--rk-accent);outline-offset:2px}
.rk-root .rk-progress{height:6px;background:var(--rk-surface);border-radius:3px;overflow:hidden;border:1px solid var(--rk-border)}
.rk-root .rk-progress>span{display:block;height:100%;background:var(--rk-accent);transition:width .2s}
.rk-root .rk-badge{display:inline-block;white-space:nowrap;font-size:12px;border-radius:999px;padding:1px 8px;border:1px solid currentColor}
.rk-root .rk-neutral{color:var(--rk-muted)}.rk-root .rk-ok{color:var(--rk-success)}.rk-root .rk-warn{color:var(--rk-warning)}.rk-root .rk-bad{color:var(--rk-danger)}
.rk-root .rk-thoughts{margin:6px 0 0;padding-left:18px;color:var(--rk-muted)}
.rk-root .rk-docs{list-style:none;margin:6px 0 0;padding:0;display:grid;gap:6px}
.rk-root .rk-docs li{background:var(--rk-surface);border-radius:8px;padding:6px 8px}
.rk-root .rk-cite{position:relative;display:inline-block}
.rk-root .rk-marker{font:inherit;font-size:12px;line-height:1;display:inline-flex;align-items:center;justify-content:center;min-width:24px;height:24px;vertical-align:middle;border:1px solid var(--rk-accent);color:var(--rk-accent);background:transparent;border-radius:6px;padding:0 4px;cursor:pointer;margin:0 2px}
.rk-root .rk-pop{position:absolute;z-index:20;left:0;top:calc(100% + 4px);width:min(360px,calc(100vw - 16px));background:var(--rk-bg);color:var(--rk-fg);border:1px solid var(--rk-border);border-radius:var(--rk-radius);box-shadow:0 6px 24px rgba(0,0,0,.18);padding:10px 12px;font-size:13px;text-align:left}
.rk-root .rk-pop[data-placement=top]{top:auto;bottom:calc(100% + 4px)}
.rk-root .rk-pop mark{background:var(--rk-highlight);color:inherit;border-radius:2px}
.rk-root .rk-pop a{color:var(--rk-accent)}
.rk-root .rk-answer{white-space:pre-wrap;overflow-wrap:anywhere}
.rk-root .rk-chart{margin:0}
.rk-root .rk-chart figcaption{font-weight:600;margin-bottom:6px}
.rk-root table.rk-table{border-collapse:collapse;width:100%;font-size:13px}
.rk-root .rk-table th,.rk-root .rk-table td{border-bottom:1px solid var(--rk-border);padding:4px 6px;text-align:left}
.rk-root .rk-drop{border:2px dashed var(--rk-border);border-radius:var(--rk-radius);padding:20px;text-align:center;background:var(--rk-surface);cursor:pointer}
.rk-root .rk-drop[data-over=true]{border-color:var(--rk-accent)}
.rk-root .rk-files{list-style:none;padding:0;margin:10px 0 0;display:grid;gap:8px}
.rk-root textarea.rk-input,.rk-root input.rk-input,.rk-root select.rk-input{font:inherit;width:100%;background:var(--rk-bg);color:var(--rk-fg);border:1px solid var(--rk-border);border-radius:8px;padding:6px 8px}
.rk-root textarea.rk-input{font-family:ui-monospace,monospace;font-size:12px;min-height:90px}
.rk-root pre.rk-args{background:var(--rk-surface);border-radius:8px;padding:8px;overflow:auto;font-size:12px;margin:6px 0}
.rk-root pre.rk-sql{white-space:pre-wrap;overflow-wrap:anywhere}
.rk-root .rk-scroll-x{overflow-x:auto;max-width:100%}
.rk-root .rk-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.rk-root .rk-chat{height:100%;min-height:320px;display:flex;flex-direction:column;min-width:0}
.rk-root .rk-chat-body{flex:1 1 0;min-height:0;min-width:0}
.rk-root .rk-messages{display:flex;flex-direction:column}
.rk-root [data-testid=copilot-suggestions]{flex-wrap:wrap}.rk-root [data-testid=copilot-suggestion]{white-space:normal;height:auto;min-height:32px;max-width:100%;text-align:left;line-height:1.3;padding-top:6px;padding-bottom:6px}
.rk-root .rk-error{border-color:var(--rk-danger);color:var(--rk-fg)}.rk-root .rk-error strong{color:var(--rk-danger);display:block}
.rk-root [data-testid=copilot-user-message],.rk-root [data-testid=copilot-assistant-message]{overflow-wrap:anywhere;min-width:0}
.rk-root .rk-welcome{margin:8px 0;padding:10px 12px;border-radius:var(--rk-radius);background:var(--rk-surface);color:var(--rk-fg)}
.rk-root .rk-threads{display:flex;gap:6px;align-items:center;flex-wrap:wrap;padding:6px 0;min-width:0}
.rk-root .rk-grow{flex:1 1 0;min-width:0;width:auto}
.rk-root .rk-ellipsis{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.rk-root .rk-full{flex-basis:100%;margin:0}
.rk-root .rk-plain{border:0;margin:0;padding-left:0;padding-right:0}
.rk-root .rk-actions{text-align:right}
.rk-root .rk-actions .rk-btn{margin:2px 0 2px 4px}
.rk-root .rk-table td{overflow-wrap:anywhere}
.rk-root,.rk-root .rk-card{min-width:0;max-width:100%}
`;
