// Order ticket view. The form lives in model traits (the kernel checks it on every change and
// answers with `problems`, each naming its field and the nearest valid values as one-click
// fixes). Submit sends one message; the button stays disabled from the click until the
// kernel answers, and then while the kernel says `holding` (an order in flight, or answered less
// than a second ago: one order per intent) — and the kernel refuses those submits anyway, so a
// double click places one order however fast the fill. On mainnet a confirm box must be clicked
// before anything is sent.

import { h, textEl, setText, setAttr, setClass, setHidden, setProp, frameBatcher, onChanges, header, envBadge, errorLine, updateError } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { groupDigits } from "./lib/format.js";
import { stepValue } from "./lib/steps.js";

const STATUS_TEXT = {
  idle: "",
  invalid: "Check the form",
  sending: "Sending…",
  accepted: "Accepted",
  rejected: "Rejected",
  filled: "Filled",
  cancelled: "Cancelled",
};

function render({ model, el }) {
  const set = (name, value) => {
    model.set(name, value);
    model.save_changes();
  };
  const symbol = h("input", { class: "bw-input bw-symbol-input", "aria-label": "symbol", title: "Symbol: type one and press Enter", spellcheck: "false", autocomplete: "off" });
  const commitSymbol = () => {
    const value = symbol.value.trim().toUpperCase();
    if (value && value !== model.get("symbol")) set("symbol", value);
    else symbol.value = model.get("symbol");
  };
  symbol.addEventListener("change", commitSymbol);
  symbol.addEventListener("keydown", (e) => e.key === "Enter" && symbol.blur());
  const head = header("Order", symbol, envBadge(model.get("env")));
  head.el.insertBefore(symbol, head.title);

  // side
  const buy = h("button", { class: "bw-side-btn bw-buy", type: "button", "data-testid": "bw-ticket-side-buy", text: "Buy / Long", onclick: () => set("side", "Buy") });
  const sell = h("button", { class: "bw-side-btn bw-sell", type: "button", "data-testid": "bw-ticket-side-sell", text: "Sell / Short", onclick: () => set("side", "Sell") });

  // type, conditional, tif
  const type = h("select", { class: "bw-select", "data-testid": "bw-ticket-type", "aria-label": "order type" }, h("option", { value: "Limit", text: "Limit" }), h("option", { value: "Market", text: "Market" }));
  type.addEventListener("change", () => set("order_type", type.value));
  const conditional = h("input", { type: "checkbox", "aria-label": "conditional order" });
  conditional.addEventListener("change", () => set("conditional", conditional.checked));
  const tif = h("select", { class: "bw-select", "aria-label": "time in force" }, ...["GTC", "IOC", "FOK", "PostOnly"].map((v) => h("option", { value: v, text: v })));
  tif.addEventListener("change", () => set("time_in_force", tif.value));

  // text fields with their problem lines: a message and a pool of suggestion chips, made once
  // (a chip shows one suggestion; spare chips hide), so a frame only rewrites text
  const problemsFor = {};
  const problemLine = (name, input) => {
    const message = textEl("span");
    const el = h("div", { class: "bw-problem", hidden: true }, message);
    const chips = [];
    const chip = () => {
      const c = { value: "", el: null };
      c.el = textEl("button", {
        class: "bw-chip",
        type: "button",
        title: "use this value",
        hidden: true,
        onclick: () => {
          input.value = c.value;
          set(name, c.value);
        },
      });
      chips.push(c);
      el.append(c.el);
    };
    chip(); // the rules suggest at most two values (the valid neighbours)
    chip();
    const show = (p) => {
      setHidden(el, !p);
      if (!p) return;
      setText(message, p.message);
      const suggestions = p.suggestions || [];
      while (chips.length < suggestions.length) chip();
      chips.forEach((c, i) => {
        const s = i < suggestions.length ? String(suggestions[i]) : "";
        c.value = s;
        setText(c.el, s);
        setHidden(c.el, i >= suggestions.length);
      });
    };
    return { el, show };
  };
  const textField = (name, attrs) => {
    const input = h("input", { class: "bw-input", inputmode: "decimal", autocomplete: "off", spellcheck: "false", ...attrs });
    input.addEventListener("input", () => set(name, input.value));
    problemsFor[name] = problemLine(name, input);
    return input;
  };
  const stepper = (name, input, stepTrait, fallback) => {
    const move = (n) => {
      const step = (model.get("rules_info") || {})[stepTrait];
      if (!step) return;
      const next = stepValue(input.value, step, n, fallback());
      input.value = next;
      set(name, next);
    };
    return [
      h("button", { class: "bw-step", type: "button", text: "−", title: "one step down", onclick: () => move(-1) }),
      h("button", { class: "bw-step", type: "button", text: "+", title: "one step up", onclick: () => move(1) }),
    ];
  };
  const market = () => model.get("market") || {};
  const price = textField("price", { "data-testid": "bw-ticket-price", placeholder: "Price", "aria-label": "price" });
  const trigger = textField("trigger_price", { placeholder: "Trigger price", "aria-label": "trigger price" });
  const qty = textField("qty", { "data-testid": "bw-ticket-qty", placeholder: "Qty", "aria-label": "quantity" });
  const tp = textField("take_profit", { placeholder: "Take profit", "aria-label": "take profit" });
  const sl = textField("stop_loss", { placeholder: "Stop loss", "aria-label": "stop loss" });
  const fill = (input, name, key) => {
    const value = market()[key];
    if (!value) return;
    input.value = value;
    set(name, value);
  };
  const quick = (label, key) => h("button", { class: "bw-chip", type: "button", text: label, title: `use the ${label.toLowerCase()} price`, onclick: () => fill(price, "price", key) });
  const unit = textEl("button", { class: "bw-unit", type: "button", title: "qty in base coin or in quote value", onclick: () => set("qty_unit", model.get("qty_unit") === "base" ? "quote" : "base") });
  const reduce = h("input", { type: "checkbox", "aria-label": "reduce only", "data-testid": "bw-ticket-reduce" });
  const reduceText = textEl("span", { text: " Reduce-only" });
  reduce.addEventListener("change", () => set("reduce_only", reduce.checked));

  const priceRow = h("div", { class: "bw-field" }, h("label", { text: "Price" }), h("div", { class: "bw-input-group" }, price, ...stepper("price", price, "tick_size", () => market().last || "")), h("div", { class: "bw-chips" }, quick("Bid", "bid"), quick("Last", "last"), quick("Ask", "ask")), problemsFor.price.el);
  const triggerRow = h("div", { class: "bw-field" }, h("label", { text: "Trigger" }), h("div", { class: "bw-input-group" }, trigger, ...stepper("trigger_price", trigger, "tick_size", () => market().last || "")), problemsFor.trigger_price.el);
  const qtyRow = h("div", { class: "bw-field" }, h("label", { text: "Qty" }), h("div", { class: "bw-input-group" }, qty, unit, ...stepper("qty", qty, "qty_step", () => "")), problemsFor.qty.el);
  const tpslBox = h("details", { class: "bw-tpsl" }, h("summary", { text: "Take profit / stop loss" }), h("div", { class: "bw-field" }, tp, problemsFor.take_profit.el), h("div", { class: "bw-field" }, sl, problemsFor.stop_loss.el));
  const preview = textEl("div", { class: "bw-preview" });
  const submit = textEl("button", { class: "bw-submit", type: "button", "data-testid": "bw-ticket-submit" });
  const status = textEl("div", { class: "bw-status", "data-testid": "bw-ticket-status", "data-status": "idle", role: "status" });
  const amend = h("button", { class: "bw-btn", type: "button", text: "Amend to form", hidden: true, onclick: () => model.send({ type: "amend" }) });
  const cancel = h("button", { class: "bw-btn bw-btn-danger", type: "button", text: "Cancel order", hidden: true, onclick: () => model.send({ type: "cancel" }) });
  const confirmText = textEl("div", { class: "bw-confirm-text" });
  const confirmBox = h(
    "div",
    { class: "bw-confirm", hidden: true, role: "alertdialog" },
    confirmText,
    h(
      "div",
      { class: "bw-actions" },
      h("button", { class: "bw-btn bw-btn-danger", type: "button", "data-testid": "bw-ticket-confirm", text: "Confirm — place on mainnet", onclick: () => model.send({ type: "confirm", token: (model.get("confirm") || {}).token }) }),
      h("button", { class: "bw-btn bw-btn-ghost", type: "button", text: "Dismiss", onclick: () => model.send({ type: "dismiss" }) }),
    ),
  );
  const block = textEl("div", { class: "bw-block", hidden: true });
  // the info lines: quote, position, balance, rules; each a fixed div, hidden while it says nothing
  const infoLines = [0, 1, 2, 3].map(() => textEl("div", { hidden: true }));
  const info = h("div", { class: "bw-ticket-info" }, ...infoLines);
  const error = errorLine();
  let awaiting = false; // a submit was sent and the kernel has not answered yet
  let awaitTimer = 0;
  submit.addEventListener("click", () => {
    if (submit.disabled || awaiting) return;
    submit.disabled = true; // until the kernel answers: a double click sends one message
    awaiting = true;
    clearTimeout(awaitTimer);
    awaitTimer = setTimeout(() => {
      awaiting = false; // the kernel answered with an unchanged status (or not at all): allow a retry
      recheck.schedule();
    }, 3000);
    model.send({ type: "submit" });
  });

  const root = h(
    "div",
    { class: "bw-widget bw-ticket" },
    head.el,
    error,
    block,
    h("div", { class: "bw-sides" }, buy, sell),
    h("div", { class: "bw-row-fields" }, h("label", { class: "bw-inline" }, "Type ", type), h("label", { class: "bw-inline" }, conditional, " Conditional"), h("label", { class: "bw-inline" }, "TIF ", tif)),
    triggerRow,
    priceRow,
    qtyRow,
    h("label", { class: "bw-inline bw-reduce" }, reduce, reduceText),
    tpslBox,
    preview,
    submit,
    confirmBox,
    status,
    h("div", { class: "bw-actions" }, amend, cancel),
    info,
  );
  el.append(root);

  const inputs = { price, trigger_price: trigger, qty, take_profit: tp, stop_loss: sl };
  const syncInput = (input, value) => {
    if (document.activeElement !== input) setProp(input, "value", value ?? "");
  };

  const apply = () => {
    const rules = model.get("rules_info") || {};
    const side = model.get("side");
    const orderType = model.get("order_type");
    const st = model.get("status") || {};
    syncInput(symbol, model.get("symbol"));
    updateError(error, model.get("error"));
    buy.classList.toggle("bw-active", side === "Buy");
    sell.classList.toggle("bw-active", side === "Sell");
    setAttr(buy, "aria-pressed", side === "Buy" ? "true" : "false");
    setAttr(sell, "aria-pressed", side === "Sell" ? "true" : "false");
    setProp(type, "value", orderType);
    setProp(conditional, "checked", model.get("conditional"));
    setProp(tif, "value", model.get("time_in_force"));
    setProp(tif, "disabled", orderType === "Market");
    setProp(reduce, "checked", model.get("reduce_only"));
    syncInput(price, model.get("price"));
    syncInput(trigger, model.get("trigger_price"));
    syncInput(qty, model.get("qty"));
    syncInput(tp, model.get("take_profit"));
    syncInput(sl, model.get("stop_loss"));
    setHidden(priceRow, orderType === "Market");
    setHidden(triggerRow, !model.get("conditional"));
    setText(unit, model.get("qty_unit") === "base" ? rules.base || "base" : rules.quote || "quote");

    const problems = model.get("problems") || [];
    for (const [name, line] of Object.entries(problemsFor)) {
      line.show(problems.find((x) => x.field === name && !x.blank)); // blanks are said once, in the status line
    }
    for (const [name, input] of Object.entries(inputs)) {
      input.classList.toggle("bw-invalid", problems.some((x) => x.field === name && !x.blank));
    }

    const pv = model.get("preview") || {};
    const notional = pv.notional ? `≈ ${groupDigits(pv.notional)} ${rules.quote || ""}` : "";
    const inBase = model.get("qty_unit") === "quote" && pv.qty_base ? ` = ${pv.qty_base} ${rules.base || ""}` : "";
    setText(preview, [pv.summary, notional + inBase].filter(Boolean).join(" · "));

    const canTrade = model.get("can_trade");
    setHidden(block, canTrade);
    setText(block, model.get("trade_block"));
    const holding = model.get("holding");
    setProp(submit, "disabled", !canTrade || awaiting || holding || st.status === "sending" || problems.length > 0 || Boolean((model.get("confirm") || {}).token));
    setAttr(submit, "data-holding", holding ? "true" : "false");
    const resting = holding && st.status !== "sending"; // answered a moment ago: say why the button waits
    setText(submit, resting ? "One order per click — a moment…" : `${side === "Buy" ? "Buy" : "Sell"} ${model.get("symbol")}${orderType === "Market" ? " at market" : ""}`);
    setAttr(submit, "title", resting ? "The last order was answered less than a second ago; clicks now place nothing" : null);
    setClass(submit, ["bw-buy", "bw-sell"], side === "Buy" ? "bw-buy" : "bw-sell");

    setAttr(status, "data-status", st.status || "idle");
    setAttr(status, "data-order-link-id", st.order_link_id || null);
    const label = STATUS_TEXT[st.status] ?? st.status;
    setText(status, [label, st.message && label ? st.message : st.message ? st.message[0].toUpperCase() + st.message.slice(1) : ""].filter(Boolean).join(": "));
    setClass(status, ["bw-status-ok", "bw-status-bad", "bw-status-busy"], { accepted: "bw-status-ok", filled: "bw-status-ok", rejected: "bw-status-bad", invalid: "bw-status-bad", cancelled: "bw-status-bad", sending: "bw-status-busy" }[st.status] || "");
    const canAmend = Boolean(st.open && st.status === "accepted");
    setHidden(amend, !canAmend);
    setHidden(cancel, !canAmend);

    const confirm = model.get("confirm") || {};
    setHidden(confirmBox, !confirm.token);
    setText(confirmText, confirm.summary || "");

    const m = market();
    const pos = model.get("position") || {};
    // hedge mode: Buy opens the long and Sell the short, unless the box says close (the other side)
    setText(reduceText, pos.hedge ? (model.get("side") === "Buy" ? " Close short" : " Close long") : " Reduce-only");
    setAttr(reduce, "data-mode", pos.hedge ? "hedge" : "one-way");
    const legs = pos.hedge ? pos.legs || [] : pos.size ? [pos] : [];
    const held = legs.map((l) => `${l.side === "Buy" ? "long" : "short"} ${l.size} @ ${groupDigits(l.entry)}`).join(" · ");
    const lines = [
      m.bid || m.ask ? `Bid ${groupDigits(m.bid)} · Ask ${groupDigits(m.ask)}` : "",
      held ? `Position: ${held}${pos.hedge ? " (hedge mode)" : ""}` : pos.hedge ? "Hedge mode: Buy opens a long, Sell a short" : "",
      model.get("balance") ? `Available: ${model.get("balance")}` : "",
      rules.tick_size ? `Tick ${rules.tick_size} · step ${rules.qty_step} · min ${rules.min_qty}` : "",
    ];
    lines.forEach((text, i) => {
      setText(infoLines[i], text);
      setHidden(infoLines[i], !text);
    });
  };
  // the retry timer's re-check: the same apply, on the next frame (no model change to drive it)
  const recheck = frameBatcher(apply);
  const names = ["side", "order_type", "qty", "qty_unit", "price", "time_in_force", "reduce_only", "conditional", "trigger_price", "take_profit", "stop_loss", "rules_info", "problems", "preview", "market", "status", "can_trade", "trade_block", "confirm", "position", "balance", "holding", "error", "symbol"];
  // registered before live's own listener: a status answer clears the guard before the frame reads it
  const offStatus = onChanges(model, ["status", "confirm", "holding"], () => {
    awaiting = false;
    clearTimeout(awaitTimer);
  });
  const stop = live(model, { kind: "ticket", root, badge: head.badge, names, apply });
  return () => {
    stop();
    offStatus();
    clearTimeout(awaitTimer);
    recheck.cancel();
  };
}

export default { render };
