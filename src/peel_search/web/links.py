"""Permalinks: the page's address holds what it shows — the tab, the question, ``k``, the
filters and the reports — so that a link opens the page and runs them; and "Copy link" on
a card gives an address that opens that passage in its context.

The browser side is :data:`.address.SCRIPT` (in the page's head): each event's ``js`` writes the
address as the user acts (:func:`.address.url_js`); the server side is :meth:`Links.open_link`, run
when a page loads, which reads the address and fills the page.

    /?tab=ask&q=missing+children&k=8&entity=GPE:Birmingham&force=Kent
    /?tab=compare&q=missing+children
    /?tab=evidence&area=...        /?tab=browse&entity=GPE:Wolverhampton&words=shoplifting
    /?passage=3d3dd84827e074c9     (a card's "Copy link")
"""

# No ``from __future__ import annotations``: Gradio reads callbacks' type hints at runtime.

from typing import Any

import gradio as gr

from ..errors import PeelSearchError
from . import render as ui_render
from .address import TABS
from .ask import AskTab
from .browse import BrowseTab
from .compare import CompareTab
from .evidence import EvidenceTab
from .page import web_message


def _one(params: Any, key: str) -> str:
    return str(params.get(key, "") or "").strip()


def _many(params: Any, key: str) -> list[str]:
    return [v for v in params.getlist(key) if v.strip()] if hasattr(params, "getlist") else []


class Links(AskTab, CompareTab, EvidenceTab, BrowseTab):
    """What a page opened from an address shows."""

    #: The components :meth:`open_link` fills, in order (set by the layout).
    LINK_OUTPUTS = (
        "tabs",
        "question",
        "k",
        "entities",
        "section",
        "judgment",
        "results",
        "compare_question",
        "compare_results",
        "area",
        "evidence",
        "chosen",
        "words",
        "browse_section",
        "browse_results",
        "reports",
        "forces",
        "years",
    )

    def open_link(self, request: gr.Request) -> tuple[Any, ...]:
        """On page load: the tab, widgets and results the address asks for (nothing changes
        for a plain address). A link that cannot be run says why where its results go."""
        self.follow_rebuilds()
        params = getattr(request, "query_params", None) or {}
        out = dict.fromkeys(self.LINK_OUTPUTS, gr.skip())
        passage = _one(params, "passage")
        tab = _one(params, "tab") or ("ask" if (_one(params, "q") or passage) else "")
        if tab not in TABS:
            return tuple(out.values())
        out["tabs"] = gr.update(selected=tab)
        scope = [_many(params, name) for name in ("report", "force", "year")]
        for name, value in zip(("reports", "forces", "years"), scope, strict=True):
            if value:
                out[name] = gr.update(value=value)
        if passage:
            out["results"] = self._passage_view(passage)
        elif tab == "ask" and _one(params, "q"):
            k = _one(params, "k") or "8"
            entities, section, judgment = (
                _many(params, "entity"),
                _one(params, "section"),
                _one(params, "judgment"),
            )
            out.update(
                question=_one(params, "q"),
                k=gr.update(value=int(k)) if k.isdigit() else gr.skip(),
                entities=gr.update(value=entities) if entities else gr.skip(),
                section=gr.update(value=section) if section else gr.skip(),
                judgment=gr.update(value=judgment) if judgment else gr.skip(),
                results=self.ask(_one(params, "q"), k, entities, section, judgment, *scope),
            )
        elif tab == "compare" and _one(params, "q"):
            out.update(
                compare_question=_one(params, "q"),
                compare_results=self.compare(_one(params, "q"), *scope),
            )
        elif tab == "evidence" and _one(params, "area"):
            out.update(area=_one(params, "area"), evidence=self.show_evidence(_one(params, "area"), *scope))
        elif tab == "browse" and (_many(params, "entity") or _one(params, "words")):
            entities, words, section = _many(params, "entity"), _one(params, "words"), _one(params, "section")
            out.update(
                chosen=gr.update(value=entities),
                words=words,
                browse_section=gr.update(value=section) if section else gr.skip(),
                browse_results=self.browse(entities, words, section, *scope),
            )
        return tuple(out.values())

    def _passage_view(self, passage_id: str) -> str:
        """One passage in its context, for a card's link."""
        from .context import context_html

        try:
            ctx = self.index.passage_context(passage_id, "section")
        except PeelSearchError as exc:
            message = web_message(exc)
            return ui_render.message_html(f"{message[:1].upper()}{message[1:]}.", "warning")
        return f'<div class="ps-results ps-linked">{context_html(ctx)}</div>'


def link_outputs(components: dict[str, Any]) -> list[Any]:
    """The components :meth:`Links.open_link` fills, from the layout's names for them."""
    return [components[name] for name in Links.LINK_OUTPUTS]
