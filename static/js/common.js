// Small helpers every page shares: numbers with their unit, the CSRF token, the flow's ETag.

const UNIT_ABBREVIATIONS = { minutes: "min", hours: "h", days: "d", weeks: "wk" };

export function unitOf(timeUnit) {
  return UNIT_ABBREVIATIONS[timeUnit] ?? timeUnit;
}

export function formatNumber(value, digits = 2) {
  return Number(value).toLocaleString("en-US", { maximumFractionDigits: digits });
}

// "31.75 h": at most two decimals and the unit, the same way on every page.
export function formatDuration(value, timeUnit) {
  return value === null || value === undefined ? "—" : `${formatNumber(value)} ${unitOf(timeUnit)}`;
}

export function csrfToken() {
  return document.querySelector("[name=csrfmiddlewaretoken]").value;
}

// The flow version from a graph response's ETag ("v3" → 3).
export function versionOf(response) {
  const match = /"v(\d+)"/.exec(response.headers.get("ETag") || "");
  return match ? Number(match[1]) : null;
}

// A JSON call to the API with the session and CSRF token: `{response, data}`, where data is
// the parsed body when there is one (refusals carry `message` and `fields`).
export async function callApi(url, { method = "GET", body, headers = {} } = {}) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      "X-CSRFToken": csrfToken(),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (response.headers.get("Content-Type") || "").includes("json")
    ? await response.json().catch(() => null)
    : null;
  return { response, data };
}

// A DOM element with properties and children; strings become text nodes, never markup.
// `element("li", { className: "x" }, "T1 ", name)`.
export function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}
