"""The web app (minimal placeholder until the web-app issue lands)."""

from __future__ import annotations

from typing import Any


def build_app(index: Any) -> Any:
    import gradio as gr

    def ask(query: str, k: float) -> list[dict[str, Any]]:
        from .errors import PeelSearchError

        try:
            return [h.to_dict() for h in index.search(query, k=int(k)).hits]
        except PeelSearchError as exc:
            raise gr.Error(str(exc)) from None

    with gr.Blocks(title="peel-search") as app:
        query = gr.Textbox(label="Question")
        k = gr.Number(value=5, label="k", precision=0)
        out = gr.JSON()
        gr.Button("Search").click(ask, [query, k], out, api_name="search")
    return app


def launch(index: Any, host: str = "127.0.0.1", port: int = 7860) -> None:
    build_app(index).launch(server_name=host, server_port=port, share=False, show_error=False)
