// The chat page: sends questions to the JSON API and appends the replies to the transcript.
// Bot replies arrive as HTML already made safe by the server; what the person types is only
// ever inserted as text.
(function () {
  "use strict";

  var body = document.body;
  var embedded = body.dataset.embed === "1";
  var startUrl = body.dataset.startUrl;
  var messageUrl = body.dataset.messageUrl;
  var transcript = document.getElementById("transcript");
  var statusLine = document.getElementById("status");
  var form = document.getElementById("ask");
  var input = document.getElementById("question");
  var closeButton = document.getElementById("close-chat");

  var conversationId = null;
  var starting = null;
  var busy = false;

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("status--error", Boolean(isError));
  }

  function speaker(text) {
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = text;
    return label;
  }

  function append(item, fromTop) {
    transcript.appendChild(item);
    // A reply is read from its first line, however long; the person's own words just follow on.
    transcript.scrollTop = fromTop ? item.offsetTop - 12 : transcript.scrollHeight;
  }

  function showUser(text) {
    var item = document.createElement("div");
    item.className = "message message--user";
    var paragraph = document.createElement("p");
    paragraph.textContent = text;
    item.append(speaker("You said: "), paragraph);
    append(item, false);
  }

  function retireChoices() {
    // Only the newest buttons stay live, so an old "Yes" cannot answer a newer question.
    transcript.querySelectorAll(".button--choice").forEach(function (button) {
      button.disabled = true;
    });
  }

  function showBot(reply) {
    var item = document.createElement("div");
    item.className = "message message--bot";
    var text = document.createElement("div");
    text.className = "message__text";
    text.innerHTML = reply.html;
    item.append(speaker("The helper said: "), text);
    if (reply.ticket_reference && reply.text.indexOf(reply.ticket_reference) === -1) {
      var reference = document.createElement("p");
      reference.className = "message__reference";
      reference.textContent = "Reference: " + reply.ticket_reference;
      item.appendChild(reference);
    }
    if (reply.choices && reply.choices.length) {
      var group = document.createElement("div");
      group.className = "choices";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Choose an answer");
      reply.choices.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button--choice";
        button.textContent = choice.label;
        button.dataset.value = choice.value;
        button.addEventListener("click", function () {
          input.focus();
          send(choice.value, choice.label);
        });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    append(item, true);
  }

  // While someone from the school office has the conversation (a hand-off, bot/web/updates.py),
  // their replies are fetched every few seconds and shown as theirs.
  var staffAfter = 0;
  var watching = false;

  function showStaff(reply) {
    var item = document.createElement("div");
    item.className = "message message--bot message--staff";
    var text = document.createElement("div");
    text.className = "message__text";
    text.innerHTML = reply.html;
    item.append(speaker("The school office said: "), text);
    append(item, true);
  }

  function watchStaff() {
    if (watching || !conversationId) {
      return;
    }
    watching = true;
    var url = startUrl + "/" + encodeURIComponent(conversationId) + "/updates?after=";
    (function poll() {
      fetch(url + staffAfter, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 403) {
            return { open: false, replies: [] };
          }
          return response.ok ? response.json() : { open: true, replies: [], wait: 15000 };
        })
        .then(function (data) {
          data.replies.forEach(function (reply) {
            staffAfter = reply.id;
            showStaff(reply);
          });
          if (data.open) {
            window.setTimeout(poll, data.wait || 4000);
          } else {
            watching = false;
          }
        })
        .catch(function () {
          window.setTimeout(poll, 15000);
        });
    })();
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload),
      credentials: "same-origin",
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          return { status: response.status, ok: response.ok, data: data };
        });
    });
  }

  function problem(result) {
    if (result.data && typeof result.data.detail === "string") {
      return result.data.detail;
    }
    return "Sorry, something went wrong. Please try again.";
  }

  function start() {
    if (!starting) {
      starting = post(startUrl, {})
        .then(function (result) {
          if (!result.ok) {
            throw new Error(problem(result));
          }
          conversationId = result.data.conversation_id;
          showBot(result.data.reply);
        })
        .finally(function () {
          starting = null;
        });
    }
    return starting;
  }

  function newMessageId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return String(Date.now()) + String(Math.random()).slice(2);
  }

  function send(text, shown) {
    if (busy) {
      return;
    }
    if (!text.trim()) {
      setStatus("Please type a question first.", true);
      return;
    }
    busy = true;
    retireChoices();
    showUser(shown || text);
    setStatus("Looking that up…", false);
    var messageId = newMessageId();

    function attempt(retried) {
      return (conversationId ? Promise.resolve() : start())
        .then(function () {
          return post(messageUrl, {
            conversation_id: conversationId,
            text: text,
            message_id: messageId,
          });
        })
        .then(function (result) {
          if (result.status === 403 && !retried) {
            // The server no longer knows this conversation (a new key): start afresh once.
            conversationId = null;
            return attempt(true);
          }
          if (!result.ok) {
            throw new Error(problem(result));
          }
          setStatus("", false);
          showBot(result.data.reply);
          if (text === "handoff:start") {
            watchStaff();
          }
        });
    }

    attempt(false)
      .catch(function (error) {
        var message = error instanceof TypeError
          ? "Sorry, the helper could not be reached. Check your connection and try again."
          : error.message;
        setStatus(message, true);
        if (!shown && !input.value) {
          input.value = text;
        }
      })
      .finally(function () {
        busy = false;
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (busy) {
      return;
    }
    if (text.trim()) {
      input.value = "";
    }
    send(text);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  if (embedded) {
    var closeWidget = function () {
      // Only a close signal, nothing private: the page that framed us decides what to do.
      window.parent.postMessage({ type: "privacybot:close" }, "*");
    };
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        closeWidget();
      }
    });
    if (closeButton) {
      closeButton.addEventListener("click", closeWidget);
    }
    window.addEventListener("message", function (event) {
      if (event.source === window.parent && event.data && event.data.type === "privacybot:focus") {
        input.focus();
      }
    });
  }

  start().catch(function (error) {
    setStatus(error.message || "Sorry, the helper could not be reached.", true);
  });
})();
