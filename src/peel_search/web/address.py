"""The page's address holds what it shows (see :mod:`.links`): what each event writes into
it as the user acts, and the page's own script — the cards' buttons (show in context, copy
citation, link or Markdown) by event delegation, and the address kept in step with the page.
"""

TABS = ("ask", "compare", "evidence", "browse", "figures", "map")
#: What each tab keeps in the address, in the order of its event's inputs.
TAB_FIELDS: dict[str, tuple[str, ...]] = {
    "ask": ("q", "k", "entity", "section", "judgment", "report", "force", "year"),
    "compare": ("q", "report", "force", "year"),
    "evidence": ("area", "report", "force", "year"),
    "browse": ("entity", "words", "section", "report", "force", "year"),
}
#: Fields that may be given more than once.
MANY = frozenset({"entity", "report", "force", "year"})


def url_js(tab: str) -> str:
    """An event's ``js``: write the tab and the event's inputs into the address, then pass
    the inputs on unchanged."""
    fields = TAB_FIELDS[tab]
    names = ", ".join(f"a{i}" for i in range(len(fields)))
    pairs = ", ".join(f"{f}: a{i}" for i, f in enumerate(fields))
    return f"({names}) => {{ window.psApp && psApp.address('{tab}', {{{pairs}}}); return [{names}]; }}"


def tab_js(tab: str) -> str:
    """A tab's ``select`` ``js``: the address names the tab alone (unless it already shows
    that tab, as when the page opens on it)."""
    return f"() => {{ window.psApp && psApp.tab('{tab}'); }}"


#: The page's own script: copy buttons (citation, link, Markdown) by event delegation, and
#: the address kept in step with what the page shows.
SCRIPT = """<script>
(() => {
  const say = (button, text) => {
    const was = button.dataset.label || button.textContent;
    button.dataset.label = was; button.textContent = text;
    setTimeout(() => { button.textContent = was; }, 1500);
  };
  const copy = (text, button, done) => navigator.clipboard.writeText(text)
    .then(() => say(button, done)).catch(() => say(button, 'Select and copy it'));
  window.psApp = {
    address(tab, fields) {
      const params = new URLSearchParams();
      if (tab !== 'ask' || Object.keys(fields).length === 0) params.set('tab', tab);
      for (const [key, value] of Object.entries(fields)) {
        for (const v of (Array.isArray(value) ? value : [value])) {
          if (v !== null && v !== undefined && String(v).trim() !== '') params.append(key, String(v));
        }
      }
      const query = params.toString();
      history.replaceState(null, '', location.pathname + (query ? '?' + query : ''));
    },
    tab(name) {
      const shown = new URLSearchParams(location.search).get('tab') || 'ask';
      if (shown !== name) this.address(name, {});
    },
    link(id) { return location.origin + location.pathname + '?passage=' + encodeURIComponent(id); },
    // Fetches the context view of the button's data-target (in data-context) into its card's
    // box: the card's own button toggles the box, a button inside the view steps.
    context(button) {
      const card = button.closest('.ps-card');
      const box = card.querySelector('.ps-context-box');
      const opener = card.querySelector('.ps-context-open');
      if (button === opener && !box.hidden) {
        box.hidden = true; opener.textContent = 'Show in context';
        opener.setAttribute('aria-expanded', 'false'); return;
      }
      box.hidden = false; opener.textContent = 'Hide context'; opener.setAttribute('aria-expanded', 'true');
      box.setAttribute('aria-busy', 'true');
      fetch('api/passage/' + encodeURIComponent(button.dataset.target) + '?format=html&context='
            + encodeURIComponent(button.dataset.context))
        .then(r => r.ok ? r.text() : r.json().then(e => Promise.reject(new Error(e.error))))
        .then(html => {
          box.innerHTML = html;
          const here = box.querySelector('.ps-context-this');
          const body = box.querySelector('.ps-context-body');
          if (here && body) body.scrollTop = here.offsetTop - body.offsetTop - 24;
        })
        .catch(e => { box.textContent = 'The context could not be shown: ' + e.message; })
        .finally(() => box.removeAttribute('aria-busy'));
    },
  };
  // The Ask tab's results carry their request as data-address: written into the address
  // once each new result is in the page (cheaper than an event's js step before the request).
  const written = new WeakSet();
  new MutationObserver(() => {
    const shown = document.querySelector('#ps-results .ps-results[data-address]');
    if (!shown || written.has(shown)) return;
    written.add(shown);
    const query = shown.dataset.address;
    history.replaceState(null, '', location.pathname + (query ? '?' + query : ''));
  }).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener('click', (event) => {
    const button = event.target.closest('[data-ps]');
    if (!button) return;
    const kind = button.dataset.ps;
    if (kind === 'context') psApp.context(button);
    else if (kind === 'cite') copy(button.dataset.cite, button, 'Copied');
    else if (kind === 'link') copy(psApp.link(button.dataset.id), button, 'Link copied');
    else if (kind === 'markdown') {
      const text = fetch(button.dataset.url).then(r => r.ok ? r.text() : Promise.reject(new Error(r.status)));
      const done = () => say(button, 'Copied');
      const failed = () => say(button, 'Could not copy');
      if (window.ClipboardItem && navigator.clipboard.write) {
        const blob = text.then(t => new Blob([t], {type: 'text/plain'}));
        navigator.clipboard.write([new ClipboardItem({'text/plain': blob})]).then(done).catch(failed);
      } else {
        text.then(t => navigator.clipboard.writeText(t)).then(done).catch(failed);
      }
    }
  });
})();
</script>"""
