"""The operator console: server-rendered pages under /console in the `bridge serve` process.

Why Flask: the console needs sessions, templates, forms with CSRF tokens and a login,
and Flask (with Flask-Login and Flask-WTF's CSRFProtect) is the well-kept, documented
way to get exactly that on top of the werkzeug stack `bridge serve` already runs: its
sessions are signed cookies (itsdangerous), its templates Jinja2 with autoescaping. It
is mounted with werkzeug's DispatcherMiddleware beside the webhook app, so one process
and one port serve `/events/...`, `/console/...` and `/metrics` (`bridge.console.wsgi`).

Why Chart.js, vendored: the reports draw a few bar and line charts; Chart.js is the
most used small charting library, and its UMD build is served from the package's own
static folder (`static/vendor/chartjs/`, with its MIT licence), so no page fetches
anything from a CDN. The data of every chart is also a table on the page and a CSV.

Pages: Health, Logs (filters, a log's payload and result, retry one, retry a filtered
set, requeue stuck), Drift (run a report, see each difference, repair), Reports (sales,
inventory, customers; charts and CSV). Viewers read; operators also act
(`bridge user add NAME --role operator|viewer`). Every action is a POST with a CSRF
token and calls the same function as the CLI (`tasks.operations`).
"""
