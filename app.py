"""Run the web app on the bundled report: `python app.py` (or `make run`), then open http://127.0.0.1:7860."""

import peel_search
from peel_search.web.server import serve

if __name__ == "__main__":
    index = peel_search.open_index("index", "corpus", notify=print)
    serve(index, host="127.0.0.1", port=7860)
