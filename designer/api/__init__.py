"""The HTTP API (DRF), one module a resource behind one router (`routes`).

`flows` (the flow, its document, analysis, drawings, layout, routes and copies), `analyse`
(unsaved documents), `simulations`, `assessment` and `auth` (tokens); `support` holds the
plumbing every module shares (one error shape, ETags, If-Match), `schema` the OpenAPI
pieces of its own. Runs have their API in `runs.api`.
"""
