// Under a logged request: a printable receipt, and "email me a copy" when an email was given.
import { post } from "./chat-net.js";

function emailedNote(note, words, to) {
  note.innerHTML = words.receipt_emailed.replace("{to}", '<strong class="receipt-actions__to"></strong>');
  // The address is the person's own words: inserted as text, never as markup.
  var address = note.querySelector(".receipt-actions__to");
  if (address) {
    address.textContent = to;
  }
}

function actions(receipt, chat) {
  var words = chat.words;
  var box = document.createElement("div");
  box.className = "receipt-actions";
  var link = document.createElement("a");
  link.className = "receipt-actions__link";
  link.href = receipt.url;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.innerHTML = words.receipt_print;
  box.appendChild(link);
  var note = document.createElement("p");
  note.className = "receipt-actions__note";
  note.setAttribute("role", "status");
  if (receipt.email_to && receipt.emailed) {
    emailedNote(note, words, receipt.email_to);
  } else if (receipt.email_to) {
    var email = document.createElement("button");
    email.type = "button";
    email.className = "button button--small";
    email.innerHTML = words.receipt_email;
    email.addEventListener("click", function () {
      email.disabled = true;
      post(chat.urls.emailReceipt, {
        conversation_id: chat.conversationId(),
        reference: receipt.reference,
      }).then(
        function (data) {
          email.remove();
          emailedNote(note, words, data.sent_to);
        },
        function (problem) {
          if (problem.status === 409) {
            email.remove();
            emailedNote(note, words, receipt.email_to);
            return;
          }
          email.disabled = false;
          note.innerHTML = words.receipt_email_failed;
        }
      );
    });
    box.appendChild(email);
  }
  box.appendChild(note);
  return box;
}

// Adds the receipt actions under `item`, the reply that logged `reference`.
export function addReceipt(item, reference, chat) {
  return post(chat.urls.receipts, { conversation_id: chat.conversationId() }).then(
    function (data) {
      var receipt = data.receipts.find(function (r) {
        return r.reference === reference;
      });
      if (receipt) {
        item.appendChild(actions(receipt, chat));
      }
    },
    function () {
      // The reference is in the reply itself; the receipt can be fetched again after a reload.
    }
  );
}
