// Talking to the chat API: JSON in and out, and what a failure means for the person.

// The server answered, but not with what was asked for: `status` 0 means it was not reached.
export class Problem extends Error {
  constructor(status, detail, retryAfter) {
    super(detail || "");
    this.status = status;
    this.retryAfter = retryAfter;
  }

  // Not the person's doing: the helper was down, or a proxy in front of it answered.
  get unreachable() {
    return this.status === 0 || this.status >= 500;
  }
}

export function post(url, payload) {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(payload),
    credentials: "same-origin",
  }).then(
    function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          if (!response.ok) {
            var detail = data && typeof data.detail === "string" ? data.detail : "";
            throw new Problem(response.status, detail, response.headers.get("Retry-After"));
          }
          return data;
        });
    },
    function () {
      // fetch rejects only when no answer came at all.
      throw new Problem(0, "");
    }
  );
}

export function newMessageId() {
  if (window.crypto && window.crypto.randomUUID) {
    return window.crypto.randomUUID();
  }
  return String(Date.now()) + String(Math.random()).slice(2);
}
