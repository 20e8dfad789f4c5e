"""`python -m sandbox.magento --port 8081`: run the Magento sandbox in the foreground."""

from __future__ import annotations

import argparse

from sandbox.magento import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="Magento 2 REST sandbox")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    serve(args.port, args.host)


if __name__ == "__main__":
    main()
