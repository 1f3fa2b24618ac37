"""``POST /$batch`` (concepts/json-batching.md; concepts/throttling-limits.md, "Outlook service
limits for JSON batching").

- ``{"requests": [...]}``, "currently limited to 20 individual requests"; each has ``id``
  (required, unique without regard to case, "otherwise the batch request fails with a 400"),
  ``method``, relative ``url``, ``headers`` ("required when the body is specified", and must then
  carry Content-Type) and ``body``. A malformed batch is a 400; a parseable one is a 200 whatever
  its inner answers are. The error codes and wording for the batch-level 400s are not documented;
  the fake uses Graph's generic ``BadRequest`` and says what was wrong.
- ``dependsOn`` orders requests; when a request fails, its dependents get 424 Failed Dependency.
- Answers are ``{"responses": [{id, status, headers, body}]}`` in completion order, which "might
  appear in a different order than the requests".
- Each inner request is throttled on its own: Outlook runs at most 4 of a batch in parallel, and
  they count toward the per-mailbox concurrency like any other request, so a batch that meets
  other traffic on the same mailbox gets 429s (with their own Retry-After) inside its 200.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import httpx

from tests.fakes.graph.wire import GraphError, error_response, json_response

if TYPE_CHECKING:
    from tests.fakes.graph.server import FakeGraph
    from tests.fakes.graph.state import TokenRecord

_DROP_HEADERS = {"content-length", "transfer-encoding", "connection"}


def _invalid(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def _parse(fake: FakeGraph, request: httpx.Request) -> list[dict[str, Any]]:
    try:
        payload = json.loads(request.content or b"null")
    except ValueError:
        raise _invalid("Invalid batch payload format: the body is not JSON.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("requests"), list):
        raise _invalid("Invalid batch payload format: a 'requests' collection is required.")
    requests = payload["requests"]
    if not requests:
        raise _invalid("Invalid batch payload format: the 'requests' collection is empty.")
    if len(requests) > fake.batch_limit:
        raise _invalid(f"The batch holds {len(requests)} requests; at most {fake.batch_limit} are allowed.")
    seen: set[str] = set()
    for item in requests:
        if not isinstance(item, dict):
            raise _invalid("Invalid batch payload format: each request must be an object.")
        rid, method, url = item.get("id"), item.get("method"), item.get("url")
        if not isinstance(rid, str) or not rid:
            raise _invalid("Each batch request needs a string 'id'.")
        if rid.lower() in seen:
            raise _invalid(f"Batch request ids must be unique; '{rid}' is repeated.")
        seen.add(rid.lower())
        if not isinstance(method, str) or not isinstance(url, str) or not url:
            raise _invalid(f"Batch request '{rid}' needs 'method' and 'url'.")
        if url.lower().startswith(("http://", "https://")):
            raise _invalid(f"Batch request '{rid}': the url must be relative, e.g. '/users'.")
        headers = item.get("headers")
        if headers is not None and not isinstance(headers, dict):
            raise _invalid(f"Batch request '{rid}': headers must be an object.")
        if "body" in item and not any(k.lower() == "content-type" for k in (headers or {})):
            raise _invalid(f"Write request id : {rid} does not contain Content-Type header or body.")
    for item in requests:
        deps = item.get("dependsOn", [])
        if not isinstance(deps, list) or any(not isinstance(d, str) or d.lower() not in seen for d in deps):
            raise _invalid(f"Batch request '{item['id']}' depends on an id that is not in the batch.")
        if any(d.lower() == item["id"].lower() for d in deps):
            raise _invalid(f"Batch request '{item['id']}' depends on itself.")
    return requests


async def serve(fake: FakeGraph, request: httpx.Request, token: TokenRecord) -> httpx.Response:
    requests = _parse(fake, request)
    done: dict[str, asyncio.Future[int]] = {r["id"].lower(): asyncio.get_running_loop().create_future()
                                            for r in requests}
    gate = asyncio.Semaphore(fake.batch_parallelism)
    answers: list[dict[str, Any]] = []
    base = f"{request.url.scheme}://{request.url.netloc.decode()}/v1.0"

    async def run(item: dict[str, Any]) -> None:
        key = item["id"].lower()
        try:
            statuses = [await done[d.lower()] for d in item.get("dependsOn", [])]
            if any(s >= 400 for s in statuses):
                answer = _answer(item["id"], error_response(GraphError(
                    424, "FailedDependency", "A request this one depends on failed."), request, fake.now()))
            else:
                async with gate:
                    answer = _answer(item["id"], await _inner(fake, base, item, token))
        except Exception as exc:  # noqa: BLE001 -- a crash in the fake still answers its dependents
            fake.server_errors.append(exc)
            answer = {"id": item["id"], "status": 500, "headers": {}, "body": {"error": {"code": "generalException",
                                                                                         "message": str(exc)}}}
        answers.append(answer)
        done[key].set_result(answer["status"])

    # A dependency cycle would wait forever: refuse it before running anything.
    _refuse_cycles(requests)
    await asyncio.gather(*(run(item) for item in requests))
    return json_response({"responses": answers})


def _refuse_cycles(requests: list[dict[str, Any]]) -> None:
    graph = {r["id"].lower(): [d.lower() for d in r.get("dependsOn", [])] for r in requests}
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        if state.get(node) == 1:
            raise _invalid("The dependsOn references form a cycle.")
        if state.get(node) == 2:
            return
        state[node] = 1
        for dep in graph[node]:
            visit(dep)
        state[node] = 2

    for node in graph:
        visit(node)


async def _inner(fake: FakeGraph, base: str, item: dict[str, Any], token: TokenRecord) -> httpx.Response:
    url = base + "/" + item["url"].lstrip("/")
    headers = {str(k): str(v) for k, v in (item.get("headers") or {}).items()}
    body = item.get("body")
    content = b""
    if body is not None:
        content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    inner = httpx.Request(item["method"].upper(), url, headers=headers, content=content)
    fake.inner_requests.append(inner)
    if inner.url.path.rstrip("/").lower().endswith("/$batch"):
        return error_response(_invalid("A batch cannot contain another batch."), inner, fake.now())
    fault = fake._take_fault(inner)
    if fault is not None:
        return fault
    return await fake.dispatch(inner, token=token)


def _answer(rid: str, response: httpx.Response) -> dict[str, Any]:
    # Original spelling kept ("Retry-After", "Content-Type"), as json-batching.md's samples show them.
    headers = {k.decode(): v.decode() for k, v in response.headers.raw if k.decode().lower() not in _DROP_HEADERS}
    out: dict[str, Any] = {"id": rid, "status": response.status_code, "headers": headers}
    if response.content:
        try:
            out["body"] = json.loads(response.content)
        except ValueError:
            out["body"] = response.content.decode("utf-8", "replace")
    return out
