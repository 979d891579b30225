# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTML of the e-ID step-up pages.

Every value from outside (names, URLs, messages) is escaped. The pages load
nothing from other hosts. Elements carry data-testid attributes so
browser tests need not depend on wording.
"""

from html import escape
from typing import Sequence

from synapse_hubs.eid.assurance import LEVELS
from synapse_hubs.eid.page_texts import FAILURE_MESSAGES, METHOD_LABELS, TEXTS

BASE = "/_synapse/client/hubs/eid"

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b;line-height:1.5}
h1{font-size:1.4rem}button,.button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem 0;
border-radius:.4rem;border:1px solid #444;background:#fff;cursor:pointer;display:inline-block;
color:inherit;text-decoration:none}
.primary{background:#1d4ed8;color:#fff;border-color:#1d4ed8}
.banner{background:#b91c1c;color:#fff;font-weight:bold;padding:.6rem;text-align:center;
font-size:1.1rem}
.error{border-left:4px solid #b91c1c;padding-left:.8rem}
label{display:block;margin-top:.6rem}
input,select{font-size:1rem;padding:.3rem;width:100%;box-sizing:border-box}
.lang{float:right;font-size:.9rem}
"""


def page(language: str, title: str, body: str, banner: str | None = None) -> str:
    banner_html = f'<div class="banner" data-testid="test-banner">{escape(banner)}</div>' \
        if banner else ""
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{banner_html}{body}</body></html>"
    )


def start_page(language: str) -> str:
    """Page that moves the ticket from the URL fragment into a POST body."""
    texts = TEXTS[language]
    body = f"""
<h1>{escape(texts['title'])}</h1>
<p data-testid="starting">{escape(texts['starting'])}</p>
<noscript><p class="error">{escape(texts['no_script'])}</p></noscript>
<form id="start" method="post" action="{BASE}/start">
<input type="hidden" name="ticket" id="ticket"><input type="hidden" name="lang" value="{language}">
</form>
<script>
const ticket = new URLSearchParams(location.hash.slice(1)).get("ticket") || "";
history.replaceState(null, "", location.pathname + location.search);
document.getElementById("ticket").value = ticket;
document.getElementById("start").submit();
</script>"""
    return page(language, texts["title"], body)


def chooser_page(language: str, options: Sequence[tuple[str, str, str]],
                 test_mode: bool) -> str:
    """options: (choice value, method, provider display name or "")."""
    texts = TEXTS[language]
    other = "en" if language == "sv" else "sv"
    if options:
        buttons = "".join(
            f'<p><button class="primary" type="submit" name="choice" value="{escape(value)}" '
            f'data-testid="choose-{escape(method)}">{escape(METHOD_LABELS[method][language])}'
            f'{" – " + escape(provider) if provider else ""}</button></p>'
            for value, method, provider in options
        )
        content = (f'<p>{escape(texts["intro"])}</p><form method="post" action="{BASE}/begin">'
                   f"{buttons}</form>")
    else:
        content = f'<p class="error" data-testid="no-methods">{escape(texts["no_methods"])}</p>'
    body = (f'<a class="lang" href="{BASE}/choose?lang={other}">'
            f'{escape(texts["language_switch"])}</a><h1>{escape(texts["title"])}</h1>{content}')
    return page(language, texts["title"], body,
                banner=texts["test_banner"] if test_mode else None)


def success_page(language: str, return_to: str | None) -> str:
    texts = TEXTS[language]
    link = (f'<p><a class="button primary" href="{escape(return_to)}" data-testid="back">'
            f'{escape(texts["back_to_meeting"])}</a></p>') if return_to else ""
    body = (f'<h1 data-testid="verified">{escape(texts["success_title"])}</h1>'
            f'<p>{escape(texts["success"])}</p>{link}')
    return page(language, texts["success_title"], body)


def failure_page(language: str, message_key: str, detail: str | None,
                 retry: bool, return_to: str | None = None) -> str:
    texts = TEXTS[language]
    message = FAILURE_MESSAGES.get(message_key, FAILURE_MESSAGES["failed"])[language]
    # A cancel is the user's own choice, so its page does not call it a failure.
    title = texts["cancelled_title"] if message_key == "cancelled" else texts["failure_title"]
    detail_html = f"<p>{escape(detail)}</p>" if detail else ""
    retry_html = (f'<a class="button primary" href="{BASE}/choose" data-testid="try-again">'
                  f'{escape(texts["try_again"])}</a>') if retry else ""
    back_html = (f' <a class="button" href="{escape(return_to)}" data-testid="back">'
                 f'{escape(texts["back_to_meeting"])}</a>') if return_to else ""
    actions_html = f"<p>{retry_html}{back_html}</p>" if retry_html or back_html else ""
    body = (f'<h1>{escape(title)}</h1>'
            f'<div class="error" data-testid="failure" data-reason="{escape(message_key)}">'
            f"<p>{escape(message)}</p>{detail_html}</div>{actions_html}")
    return page(language, title, body)


def invalid_link_page(language: str) -> str:
    texts = TEXTS[language]
    body = (f'<h1>{escape(texts["failure_title"])}</h1>'
            f'<p class="error" data-testid="link-invalid">{escape(texts["link_invalid"])}</p>')
    return page(language, texts["failure_title"], body)


def repost_page(language: str, action: str, fields: dict[str, str]) -> str:
    """Page that submits `fields` again to `action`, now from our own origin."""
    texts = TEXTS[language]
    inputs = "".join(f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
                     for name, value in fields.items())
    body = (f'<p>{escape(texts["starting"])}</p><form id="repost" method="post" '
            f'action="{escape(action)}">{inputs}<noscript><button type="submit">'
            f'{escape(texts["continue"])}</button></noscript></form>'
            '<script>document.getElementById("repost").submit();</script>')
    return page(language, texts["title"], body)


def bankid_page(language: str) -> str:
    """Render the QR page, which reads the order handle from the URL fragment and polls with it."""
    texts = TEXTS[language]
    body = f"""
<h1>{escape(texts['bankid_title'])}</h1>
<p>{escape(texts['bankid_scan'])}</p>
<p><img id="qr" alt="QR" width="240" height="240" data-testid="bankid-qr"></p>
<p id="message" data-testid="bankid-message" aria-live="polite"></p>
<p><a id="same-device" class="button" href="#" hidden>{escape(texts['bankid_same_device'])}</a></p>
<p><button id="cancel" type="button" data-testid="bankid-cancel">{escape(texts['cancel'])}</button></p>
<script>
const state = new URLSearchParams(location.hash.slice(1)).get("state") || "";
history.replaceState(null, "", location.pathname);
async function call(path) {{
  const response = await fetch("{BASE}/bankid/" + path, {{method: "POST",
    headers: {{"Content-Type": "application/json"}}, body: JSON.stringify({{state}})}});
  return response.json();
}}
function show(answer) {{
  if (answer.redirect) {{ location.replace(answer.redirect); return false; }}
  if (answer.qr) document.getElementById("qr").src = answer.qr;
  if (answer.message) document.getElementById("message").textContent = answer.message;
  if (answer.auto_start_url) {{
    const link = document.getElementById("same-device");
    link.href = answer.auto_start_url; link.hidden = false;
  }}
  return true;
}}
async function poll() {{
  try {{ if (!show(await call("status"))) return; }} catch (error) {{}}
  setTimeout(poll, 1000);
}}
document.getElementById("cancel").onclick = async () => show(await call("cancel"));
poll();
</script>"""
    return page(language, texts["bankid_title"], body)


def test_provider_page(language: str, state: str, method: str) -> str:
    texts = TEXTS[language]
    levels = "".join(
        f'<option value="{level}"{" selected" if level == "loa3" else ""}>{level}</option>'
        for level in LEVELS
    )
    body = f"""
<h1>{escape(texts['test_title'])} – {escape(METHOD_LABELS[method][language])}</h1>
<p>{escape(texts['test_intro'])}</p>
<form method="post" action="{BASE}/test_provider">
<input type="hidden" name="state" value="{escape(state)}">
<label>{escape(texts['test_number'])}
<input name="number" value="19121212-1212" data-testid="test-number"></label>
<label>{escape(texts['test_given_name'])}
<input name="given_name" value="Tolvan" data-testid="test-given-name"></label>
<label>{escape(texts['test_family_name'])}
<input name="family_name" value="Tolvansson" data-testid="test-family-name"></label>
<label>{escape(texts['test_loa'])}<select name="loa" data-testid="test-loa">{levels}</select></label>
<p><button class="primary" type="submit" name="action" value="identify"
 data-testid="test-identify">{escape(texts['test_identify'])}</button>
<button type="submit" name="action" value="cancel"
 data-testid="test-cancel">{escape(texts['cancel'])}</button></p>
</form>"""
    return page(language, texts["test_title"], body, banner=texts["test_banner"])
