// The one way a page talks to the API: JSON both ways, the session cookie, the CSRF token,
// the flow's version as an ETag (sent back as If-Match), and one shape for a refusal:
// {status, message, fields}, with status 0 when the server could not be reached.

export function csrfToken() {
  return document.querySelector("[name=csrfmiddlewaretoken]")?.value ?? "";
}

// The flow version from a graph response's ETag ("v3" → 3).
export function versionOf(response) {
  const match = /"v(\d+)"/.exec(response.headers.get("ETag") || "");
  return match ? Number(match[1]) : null;
}

// The header that makes a write conditional on the version the page loaded.
export function ifMatch(version) {
  return { "If-Match": `"v${version}"` };
}

// A call that answers `{response, data}` whatever the status, where data is the parsed body
// when there is one; for pages that tell statuses apart (412 is a conflict, not an error).
export async function callApi(url, { method = "GET", body, headers = {}, signal, keepalive = false } = {}) {
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
    signal,
    keepalive,
  });
  const data = (response.headers.get("Content-Type") || "").includes("json")
    ? await response.json().catch((error) => {
        if (error.name === "AbortError") throw error;
        return null;
      })
    : null;
  return { response, data };
}

// A refused or failed call: `status`, the words to show (`message`) and, per field, why.
export class ApiError extends Error {
  constructor({ status, message, fields = {} }) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fields = fields;
  }
}

export function refusal(response, data) {
  return {
    status: response.status,
    message: data?.message ?? data?.detail ?? `The server answered ${response.status}.`,
    fields: data?.fields ?? {},
  };
}

// The body of a successful answer; anything else throws an ApiError (an abort stays an abort).
export async function requestJson(url, options = {}) {
  let answer;
  try {
    answer = await callApi(url, options);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError({ status: 0, message: "The server could not be reached." });
  }
  if (!answer.response.ok) throw new ApiError(refusal(answer.response, answer.data));
  return answer.data;
}

export function getJson(url, options = {}) {
  return requestJson(url, options);
}

export function postJson(url, body = {}, options = {}) {
  return requestJson(url, { ...options, method: "POST", body });
}
