// The chat page: sends questions to the JSON API and shows the replies. The conversation's
// signed id is kept in this browser for as long as the school keeps transcripts, so a reload
// (or a phone discarding the tab) carries on where it was; "Start again" forgets it.
import { post, newMessageId } from "./chat-net.js";
import { Transcript } from "./chat-render.js";
import { QuestionBox } from "./chat-input.js";
import { addFeedback, wantsFeedback } from "./chat-feedback.js";
import { addReceipt } from "./chat-receipts.js";
import { embedInFrame } from "./chat-embed.js";

var data = document.body.dataset;
var words = JSON.parse(document.getElementById("chat-words").textContent);
var urls = {
  start: data.startUrl,
  message: data.messageUrl,
  transcript: data.transcriptUrl,
  receipts: data.receiptsUrl,
  emailReceipt: data.emailReceiptUrl,
  feedback: data.feedbackUrl,
  feedbackComment: data.feedbackCommentUrl,
};
var STORE_KEY = "privacybot.conversation";
var DAY_MS = 24 * 60 * 60 * 1000;
var keepFor = Number(data.retentionDays) * DAY_MS;

var view = new Transcript(document.getElementById("transcript"), words);
var statusLine = document.getElementById("status");
var form = document.getElementById("ask");
var box = new QuestionBox(
  form,
  document.getElementById("question"),
  document.getElementById("ask-count"),
  Number(data.maxChars),
  words
);

var conversationId = null;
var starting = null;
var busy = false;
// Bumped by "Start again", so replies and polls for the old conversation are dropped.
var generation = 0;
var chat = {
  words: words,
  urls: urls,
  conversationId: function () {
    return conversationId;
  },
};

function setStatus(html, isError) {
  statusLine.innerHTML = html;
  statusLine.classList.toggle("status--error", Boolean(isError));
}

function describe(problem) {
  // Not reached, or failed on its own side: never the person's connection to blame.
  if (!problem || problem.unreachable || !problem.message) {
    return problem && !problem.unreachable ? words.went_wrong : words.unreachable;
  }
  // The server's sentence is plain text (answers/web_errors.yaml): shown as written, not as HTML.
  var plain = document.createElement("span");
  plain.textContent = problem.message;
  return plain.innerHTML;
}

// -- the signed id, kept on this device -------------------------------------------------------

function remember() {
  try {
    window.localStorage.setItem(STORE_KEY, JSON.stringify({ id: conversationId, at: Date.now() }));
  } catch (ignored) {
    // Storage refused (private browsing, a full disk): the chat works, just not across reloads.
  }
}

function remembered() {
  try {
    var kept = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
    if (kept && typeof kept.id === "string" && Date.now() - kept.at < keepFor) {
      return kept.id;
    }
  } catch (ignored) {
    // Unreadable: treated as nothing kept.
  }
  forget();
  return null;
}

function forget() {
  try {
    window.localStorage.removeItem(STORE_KEY);
  } catch (ignored) {
    // Nothing to forget.
  }
}

// -- replies ----------------------------------------------------------------------------------

function showReply(reply, past) {
  var item = view.bot(reply, choose, past);
  if (!past && wantsFeedback(reply)) {
    addFeedback(item, reply, chat);
  }
  if (reply.ticket_reference) {
    addReceipt(item, reply.ticket_reference, chat);
  }
  return item;
}

function choose(choice) {
  box.focus();
  send(choice.value, choice.label, true, newMessageId());
}

// While someone from the school office has the conversation (a hand-off, bot/web/updates.py),
// their replies are fetched every few seconds and shown as theirs.
var staffAfter = 0;
var watching = false;

function watchStaff() {
  if (watching || !conversationId) {
    return;
  }
  watching = true;
  var mine = generation;
  var url = urls.start + "/" + encodeURIComponent(conversationId) + "/updates?after=";
  (function poll() {
    if (mine !== generation) {
      watching = false;
      return;
    }
    fetch(url + staffAfter, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 403) {
          return { open: false, replies: [] };
        }
        return response.ok ? response.json() : { open: true, replies: [], wait: 15000 };
      })
      .then(function (update) {
        if (mine !== generation) {
          return;
        }
        update.replies.forEach(function (reply) {
          staffAfter = reply.id;
          view.staff(reply);
        });
        if (update.open) {
          window.setTimeout(poll, update.wait || 4000);
        } else {
          watching = false;
        }
      })
      .catch(function () {
        window.setTimeout(poll, 15000);
      });
  })();
}

// -- starting, carrying on, sending -----------------------------------------------------------

function start() {
  if (!starting) {
    var mine = generation;
    starting = post(urls.start, {})
      .then(function (started) {
        if (mine === generation) {
          conversationId = started.conversation_id;
          remember();
          showReply(started.reply, false);
        }
      })
      .finally(function () {
        starting = null;
      });
  }
  return starting;
}

function resume(keptId) {
  return post(urls.transcript, { conversation_id: keptId }).then(
    function (transcript) {
      conversationId = keptId;
      showReply(transcript.greeting, transcript.turns.length > 0);
      transcript.turns.forEach(function (turn, index) {
        if (turn.role === "person") {
          view.user(turn.text);
        } else if (turn.role === "staff") {
          view.staff(turn.reply);
        } else {
          showReply(turn.reply, index < transcript.turns.length - 1);
        }
      });
      setStatus(words.resumed, false);
      if (transcript.handoff_open) {
        staffAfter = transcript.staff_after;
        watchStaff();
      }
    },
    function (problem) {
      if (problem.unreachable) {
        throw problem;
      }
      // Unknown here, or nothing was said yet (or it was deleted): a fresh start.
      forget();
      return start();
    }
  );
}

function deliver(text, messageId, retried) {
  return (conversationId ? Promise.resolve() : start())
    .then(function () {
      return post(urls.message, {
        conversation_id: conversationId,
        text: text,
        message_id: messageId,
      });
    })
    .then(
      function (answered) {
        return answered.reply;
      },
      function (problem) {
        if (problem.status === 403 && !retried) {
          // The server no longer knows this conversation (a new key): start afresh once.
          conversationId = null;
          forget();
          return deliver(text, messageId, true);
        }
        throw problem;
      }
    );
}

function send(text, shown, fromChoice, messageId) {
  if (busy) {
    return;
  }
  if (!text.trim()) {
    setStatus(words.empty, true);
    return;
  }
  busy = true;
  var mine = generation;
  var retired = view.retireChoices(fromChoice ? text : undefined);
  var said = view.user(shown || text);
  setStatus(words.looking_up, false);
  deliver(text, messageId, false)
    .then(function (reply) {
      if (mine !== generation) {
        return;
      }
      setStatus("", false);
      remember();
      showReply(reply, false);
      if (text === "handoff:start") {
        watchStaff();
      }
    })
    .catch(function (problem) {
      if (mine !== generation) {
        return;
      }
      // Nothing is left looking as if it were sent: the buttons come back, and a typed
      // message is marked as not sent, with a button that sends it again.
      view.restoreChoices(retired);
      if (fromChoice) {
        said.remove();
        setStatus(words.choose_again + " " + describe(problem), true);
      } else {
        setStatus(describe(problem), true);
        view.failed(said, function () {
          send(text, shown, false, messageId);
        });
      }
    })
    .finally(function () {
      busy = false;
    });
}

form.addEventListener("submit", function (event) {
  event.preventDefault();
  if (busy) {
    return;
  }
  if (box.count()) {
    // Too long: said so, and nothing is cut or sent.
    setStatus(words.over_limit.replace("{used}", box.value.length.toLocaleString("en-GB")), true);
    box.focus();
    return;
  }
  var text = box.value;
  if (text.trim()) {
    box.value = "";
  }
  send(text, null, false, newMessageId());
});

document.getElementById("start-again").addEventListener("click", function () {
  generation += 1;
  forget();
  conversationId = null;
  busy = false;
  view.clear();
  setStatus("", false);
  box.focus();
  start().catch(function (problem) {
    setStatus(describe(problem), true);
  });
});

if (data.embed === "1") {
  embedInFrame(document.getElementById("close-chat"), function () {
    box.focus();
  });
}

var keptId = remembered();
(keptId ? resume(keptId) : start()).catch(function (problem) {
  setStatus(describe(problem), true);
});
