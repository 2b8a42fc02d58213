"""A real MCP client for semsearch's tests: the official Python SDK (mcp 2.x).

    python3 mcp_client.py stdio QUERY BINARY [ARG...]   spawn BINARY ARG... and talk over its stdio
    python3 mcp_client.py http QUERY URL [KEY]          talk streamable HTTP to URL

It initializes (the classic handshake), lists the tools, calls search with QUERY,
get_post on the top hit and ask with QUERY, and prints one JSON object: the server's
name, the tool names, the search, get_post and ask structured results. The environment of a spawned server is this
process's (SEMSEARCH_DATA, SEMSEARCH_MODELS...).
"""

import asyncio
import json
import os
import sys

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client


async def drive(client: Client, query: str) -> dict:
    tools = await client.list_tools()
    found = await client.call_tool("search", {"query": query, "k": 3})
    if found.is_error:
        raise SystemExit(f"search failed: {found.content}")
    top = found.structured_content["results"][0]
    post = await client.call_tool("get_post", {"id": top["id"], "length": 2000})
    if post.is_error:
        raise SystemExit(f"get_post failed: {post.content}")
    answer = await client.call_tool("ask", {"query": query, "k": 3})
    if answer.is_error:
        raise SystemExit(f"ask failed: {answer.content}")
    info = client.server_info
    return {
        "server": info.name if info else "",
        "protocol": client.protocol_version,
        "tools": sorted(t.name for t in tools.tools),
        "search": found.structured_content,
        "post": post.structured_content,
        "ask": answer.structured_content,
    }


async def main() -> None:
    transport, query, target, *rest = sys.argv[1:]
    if transport == "stdio":
        params = StdioServerParameters(command=target, args=rest, env=dict(os.environ))
        async with Client(params, mode="legacy") as client:
            out = await drive(client, query)
    elif transport == "http":
        headers = {"Authorization": "Bearer " + rest[0]} if rest else {}
        async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
            async with Client(streamable_http_client(target, http_client=http), mode="legacy") as client:
                out = await drive(client, query)
    else:
        raise SystemExit(f"unknown transport {transport!r}")
    json.dump(out, sys.stdout)


asyncio.run(main())
