// The transcript on the page: the person's words (only ever as text), the bot's replies (HTML the
// server made safe), staff replies, and the buttons under the newest reply.

export class Transcript {
  constructor(element, words) {
    this.element = element;
    this.words = words;
  }

  speaker(text) {
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = text;
    return label;
  }

  append(item, fromTop) {
    this.element.appendChild(item);
    this.scrollTo(item, fromTop);
  }

  scrollTo(item, fromTop) {
    // A reply is read from its first line, however long; the person's own words just follow on.
    this.element.scrollTop = fromTop ? item.offsetTop - 12 : this.element.scrollHeight;
  }

  user(text) {
    var item = document.createElement("div");
    item.className = "message message--user";
    var paragraph = document.createElement("p");
    paragraph.textContent = text;
    item.append(this.speaker("You said: "), paragraph);
    this.append(item, false);
    return item;
  }

  // A message that did not reach the helper: marked, with a button that sends it again.
  failed(item, onRetry) {
    item.classList.add("message--failed");
    var note = document.createElement("p");
    note.className = "message__failed";
    var text = document.createElement("span");
    text.innerHTML = this.words.not_sent;
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "button button--retry";
    retry.innerHTML = this.words.try_again;
    retry.addEventListener("click", function () {
      item.remove();
      onRetry();
    });
    note.append(text, " ", retry);
    item.appendChild(note);
    this.scrollTo(item, false);
    return retry;
  }

  bot(reply, onChoose, past) {
    var item = document.createElement("div");
    item.className = "message message--bot";
    var text = document.createElement("div");
    text.className = "message__text";
    text.innerHTML = reply.html;
    item.append(this.speaker("The helper said: "), text);
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
        button.disabled = Boolean(past);
        button.addEventListener("click", function () {
          onChoose(choice);
        });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    this.append(item, true);
    return item;
  }

  staff(reply) {
    var item = document.createElement("div");
    item.className = "message message--bot message--staff";
    var text = document.createElement("div");
    text.className = "message__text";
    text.innerHTML = reply.html;
    item.append(this.speaker("The school office said: "), text);
    this.append(item, true);
    return item;
  }

  // Only the newest buttons stay live, so an old "Yes" cannot answer a newer question. Returns
  // the buttons it retired, to bring back if the choice never reached the helper.
  retireChoices(chosenValue) {
    var live = Array.prototype.slice.call(
      this.element.querySelectorAll(".button--choice:not(:disabled)")
    );
    live.forEach(function (button) {
      button.disabled = true;
      if (chosenValue !== undefined && button.dataset.value === chosenValue) {
        button.classList.add("button--chosen");
      }
    });
    return live;
  }

  restoreChoices(buttons) {
    buttons.forEach(function (button) {
      button.disabled = false;
      button.classList.remove("button--chosen");
    });
  }

  clear() {
    this.element.replaceChildren();
  }
}
