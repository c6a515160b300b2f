"""The review console: Starlette + Jinja2, server-rendered, on the same review code as the CLI."""
