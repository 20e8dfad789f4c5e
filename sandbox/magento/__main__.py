"""`python -m sandbox.magento --port 8081`: run the Magento sandbox in the foreground."""

from __future__ import annotations

import argparse

from sandbox.magento import serve
from sandbox.magento.seed import DEFAULT, SEEDS


def main() -> None:
    parser = argparse.ArgumentParser(description="Magento 2 REST sandbox")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", choices=SEEDS, default=DEFAULT)
    args = parser.parse_args()
    serve(args.port, args.host, seed=args.seed)


if __name__ == "__main__":
    main()
