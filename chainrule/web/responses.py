"""How the server answers: JSON (and the page's files) with the page's security headers, and every
refusal as ``{"error": one line}``.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse, Response

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}


def error_response(status: int, message: str) -> JSONResponse:
    """A refusal: ``{"error": message}`` with HTTP status ``status``.

    Parameters
    ----------
    status : int
        The HTTP status (4xx).
    message : str
        One line saying what was wrong.

    Returns
    -------
    JSONResponse
        The answer, with the page's headers.
    """
    return JSONResponse({"error": message}, status_code=status, headers=HEADERS)


def json_response(text: str, headers: dict | None = None) -> Response:
    """An answer of JSON already written as ``text`` (the routes write it themselves: no NaN,
    compact or indented as each needs), with the page's headers and any ``headers`` beside them."""
    return Response(text, media_type="application/json", headers={**HEADERS, **(headers or {})})
