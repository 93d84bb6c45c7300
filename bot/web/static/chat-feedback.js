// "Was this helpful?" under every answer: a vote, then an optional comment on that vote. The
// server keeps only the answer's intent, the vote and the comment, never who gave them.
import { post } from "./chat-net.js";

var COMMENT_CHARS = 500;
var asked = 0;

function button(html, className) {
  var element = document.createElement("button");
  element.type = "button";
  element.className = "button " + className;
  element.innerHTML = html;
  return element;
}

// Replies that answer something (or say plainly they cannot) get the question; "did you mean"
// and the steps of a request do not.
export function wantsFeedback(reply) {
  var outcome = reply.match && reply.match.outcome;
  return outcome === "answer" || outcome === "fallback";
}

// The optional comment, sent with the token the vote was given; `note` says how it went.
function commentForm(token, note, chat) {
  var words = chat.words;
  var form = document.createElement("form");
  form.className = "feedback__comment";
  var label = document.createElement("label");
  label.htmlFor = "feedback-comment-" + asked;
  label.innerHTML = words.helpful_comment_label;
  var field = document.createElement("textarea");
  field.id = label.htmlFor;
  field.rows = 2;
  field.className = "feedback__field";
  var send = button(words.helpful_comment_send, "button--small");
  send.type = "submit";
  form.append(label, field, send);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = field.value.trim();
    if (!text) {
      field.focus();
      return;
    }
    if (text.length > COMMENT_CHARS) {
      // Said, never cut: the person shortens it.
      var used = text.length.toLocaleString("en-GB");
      note.innerHTML = words.helpful_comment_too_long.replace("{used}", used);
      return;
    }
    send.disabled = true;
    post(chat.urls.feedbackComment, {
      conversation_id: chat.conversationId(),
      feedback_token: token,
      comment: text,
    }).then(
      function () {
        form.remove();
        note.innerHTML = words.helpful_thanks;
      },
      function () {
        send.disabled = false;
        note.innerHTML = words.helpful_failed;
      }
    );
  });
  return form;
}

export function addFeedback(item, reply, chat) {
  var words = chat.words;
  asked += 1;
  var box = document.createElement("div");
  box.className = "feedback";
  var question = document.createElement("p");
  question.className = "feedback__question";
  question.id = "feedback-question-" + asked;
  question.innerHTML = words.helpful_question;
  var buttons = document.createElement("div");
  buttons.className = "feedback__buttons";
  buttons.setAttribute("role", "group");
  buttons.setAttribute("aria-labelledby", question.id);
  var yes = button(words.helpful_yes, "button--small");
  var no = button(words.helpful_no, "button--small");
  var note = document.createElement("p");
  note.className = "feedback__note";
  note.setAttribute("role", "status");
  buttons.append(yes, no);
  box.append(question, buttons, note);
  item.appendChild(box);

  function vote(helpful) {
    yes.disabled = no.disabled = true;
    note.textContent = "";
    post(chat.urls.feedback, {
      conversation_id: chat.conversationId(),
      intent: reply.match.intent,
      helpful: helpful,
    }).then(
      function (data) {
        buttons.remove();
        question.remove();
        note.innerHTML = words.helpful_thanks;
        box.appendChild(commentForm(data.feedback_token, note, chat));
      },
      function () {
        yes.disabled = no.disabled = false;
        note.innerHTML = words.helpful_failed;
      }
    );
  }
  yes.addEventListener("click", function () {
    vote(true);
  });
  no.addEventListener("click", function () {
    vote(false);
  });
}
