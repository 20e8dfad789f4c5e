"""`python -m sandbox.odoo --port 8069`: run the Odoo sandbox in the foreground."""

from __future__ import annotations

import argparse

from sandbox.odoo import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="Odoo external API sandbox")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--version", default="18.0", help="Odoo version to speak (16.0-19.0)")
    parser.add_argument(
        "--login-cost",
        type=float,
        default=None,
        help="seconds one password check costs (default: $BRIDGE_SANDBOX_ODOO_LOGIN_COST or 0.9)",
    )
    parser.add_argument(
        "--cost-scale",
        type=float,
        default=None,
        help="server-cost model, 1 = a real Odoo 18 (default $BRIDGE_SANDBOX_ODOO_COST_SCALE, 0)",
    )
    parser.add_argument("--workers", type=int, default=None, help="Odoo workers it models (2)")
    args = parser.parse_args()
    serve(
        args.port,
        args.host,
        version=args.version,
        login_cost=args.login_cost,
        cost_scale=args.cost_scale,
        workers=args.workers,
    )


if __name__ == "__main__":
    main()
