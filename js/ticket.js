// Order ticket view. The form lives in model traits (the kernel checks it on every change and
// answers with `problems`, each naming its field and the nearest valid values as one-click
// fixes). Submit sends one message; the button stays disabled from the click until the
// kernel reports a status other than "sending" — and the kernel refuses a second submit while
// one is in flight anyway. On mainnet a confirm box must be clicked before anything is sent.

import { h, setText, setAttr, setClass, frameBatcher, onChanges, header, envBadge, errorLine, updateBadge, updateError } from "./lib/dom.js";
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

  // text fields with their problem lines
  const problemsFor = {};
  const textField = (name, attrs) => {
    const input = h("input", { class: "bw-input", inputmode: "decimal", autocomplete: "off", spellcheck: "false", ...attrs });
    input.addEventListener("input", () => set(name, input.value));
    problemsFor[name] = h("div", { class: "bw-problem", hidden: true });
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
  const unit = h("button", { class: "bw-unit", type: "button", title: "qty in base coin or in quote value", onclick: () => set("qty_unit", model.get("qty_unit") === "base" ? "quote" : "base") });
  const reduce = h("input", { type: "checkbox", "aria-label": "reduce only" });
  reduce.addEventListener("change", () => set("reduce_only", reduce.checked));

  const priceRow = h("div", { class: "bw-field" }, h("label", { text: "Price" }), h("div", { class: "bw-input-group" }, price, ...stepper("price", price, "tick_size", () => market().last || "")), h("div", { class: "bw-chips" }, quick("Bid", "bid"), quick("Last", "last"), quick("Ask", "ask")), problemsFor.price);
  const triggerRow = h("div", { class: "bw-field" }, h("label", { text: "Trigger" }), h("div", { class: "bw-input-group" }, trigger, ...stepper("trigger_price", trigger, "tick_size", () => market().last || "")), problemsFor.trigger_price);
  const qtyRow = h("div", { class: "bw-field" }, h("label", { text: "Qty" }), h("div", { class: "bw-input-group" }, qty, unit, ...stepper("qty", qty, "qty_step", () => "")), problemsFor.qty);
  const tpslBox = h("details", { class: "bw-tpsl" }, h("summary", { text: "Take profit / stop loss" }), h("div", { class: "bw-field" }, tp, problemsFor.take_profit), h("div", { class: "bw-field" }, sl, problemsFor.stop_loss));
  const preview = h("div", { class: "bw-preview" });
  const submit = h("button", { class: "bw-submit", type: "button", "data-testid": "bw-ticket-submit" });
  const status = h("div", { class: "bw-status", "data-testid": "bw-ticket-status", "data-status": "idle", role: "status" });
  const amend = h("button", { class: "bw-btn", type: "button", text: "Amend to form", hidden: true, onclick: () => model.send({ type: "amend" }) });
  const cancel = h("button", { class: "bw-btn bw-btn-danger", type: "button", text: "Cancel order", hidden: true, onclick: () => model.send({ type: "cancel" }) });
  const confirmText = h("div", { class: "bw-confirm-text" });
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
  const block = h("div", { class: "bw-block", hidden: true });
  const info = h("div", { class: "bw-ticket-info" });
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
      frame.schedule();
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
    h("label", { class: "bw-inline bw-reduce" }, reduce, " Reduce-only"),
    tpslBox,
    preview,
    submit,
    confirmBox,
    status,
    h("div", { class: "bw-actions" }, amend, cancel),
    info,
  );
  el.append(root);

  const syncInput = (input, value) => {
    if (document.activeElement !== input && input.value !== value) input.value = value ?? "";
  };

  const apply = () => {
    const rules = model.get("rules_info") || {};
    const side = model.get("side");
    const orderType = model.get("order_type");
    const st = model.get("status") || {};
    if (document.activeElement !== symbol) symbol.value = model.get("symbol");
    updateBadge(head.badge, model.get("conn_state"), model.get("conn_reason"));
    updateError(error, model.get("error"));
    buy.classList.toggle("bw-active", side === "Buy");
    sell.classList.toggle("bw-active", side === "Sell");
    setAttr(buy, "aria-pressed", side === "Buy" ? "true" : "false");
    setAttr(sell, "aria-pressed", side === "Sell" ? "true" : "false");
    type.value = orderType;
    conditional.checked = model.get("conditional");
    tif.value = model.get("time_in_force");
    tif.disabled = orderType === "Market";
    reduce.checked = model.get("reduce_only");
    syncInput(price, model.get("price"));
    syncInput(trigger, model.get("trigger_price"));
    syncInput(qty, model.get("qty"));
    syncInput(tp, model.get("take_profit"));
    syncInput(sl, model.get("stop_loss"));
    priceRow.hidden = orderType === "Market";
    triggerRow.hidden = !model.get("conditional");
    setText(unit, model.get("qty_unit") === "base" ? rules.base || "base" : rules.quote || "quote");

    const problems = model.get("problems") || [];
    for (const [name, line] of Object.entries(problemsFor)) {
      const p = problems.find((x) => x.field === name && !x.blank); // blanks are said once, in the status line
      line.hidden = !p;
      if (!p) continue;
      const input = { price, trigger_price: trigger, qty, take_profit: tp, stop_loss: sl }[name];
      line.replaceChildren(
        h("span", { text: p.message }),
        ...(p.suggestions || []).map((s) =>
          h("button", {
            class: "bw-chip",
            type: "button",
            text: s,
            title: "use this value",
            onclick: () => {
              input.value = s;
              set(name, s);
            },
          }),
        ),
      );
    }
    for (const [name, input] of Object.entries({ price, trigger_price: trigger, qty, take_profit: tp, stop_loss: sl })) {
      input.classList.toggle("bw-invalid", problems.some((x) => x.field === name && !x.blank));
    }

    const pv = model.get("preview") || {};
    const notional = pv.notional ? `≈ ${groupDigits(pv.notional)} ${rules.quote || ""}` : "";
    const inBase = model.get("qty_unit") === "quote" && pv.qty_base ? ` = ${pv.qty_base} ${rules.base || ""}` : "";
    setText(preview, [pv.summary, notional + inBase].filter(Boolean).join(" · "));

    const canTrade = model.get("can_trade");
    block.hidden = canTrade;
    setText(block, model.get("trade_block"));
    submit.disabled = !canTrade || awaiting || st.status === "sending" || problems.length > 0 || Boolean((model.get("confirm") || {}).token);
    setText(submit, `${side === "Buy" ? "Buy" : "Sell"} ${model.get("symbol")}${orderType === "Market" ? " at market" : ""}`);
    setClass(submit, ["bw-buy", "bw-sell"], side === "Buy" ? "bw-buy" : "bw-sell");

    setAttr(status, "data-status", st.status || "idle");
    setAttr(status, "data-order-link-id", st.order_link_id || null);
    const label = STATUS_TEXT[st.status] ?? st.status;
    setText(status, [label, st.message && label ? st.message : st.message ? st.message[0].toUpperCase() + st.message.slice(1) : ""].filter(Boolean).join(": "));
    setClass(status, ["bw-status-ok", "bw-status-bad", "bw-status-busy"], { accepted: "bw-status-ok", filled: "bw-status-ok", rejected: "bw-status-bad", invalid: "bw-status-bad", cancelled: "bw-status-bad", sending: "bw-status-busy" }[st.status] || "");
    amend.hidden = cancel.hidden = !(st.open && st.status === "accepted");

    const confirm = model.get("confirm") || {};
    confirmBox.hidden = !confirm.token;
    setText(confirmText, confirm.summary || "");

    const m = market();
    const pos = model.get("position") || {};
    const lines = [];
    if (m.bid || m.ask) lines.push(`Bid ${groupDigits(m.bid)} · Ask ${groupDigits(m.ask)}`);
    if (pos.size) lines.push(`Position: ${pos.side === "Buy" ? "long" : "short"} ${pos.size} @ ${groupDigits(pos.entry)}`);
    if (model.get("balance")) lines.push(`Available: ${model.get("balance")}`);
    if (rules.tick_size) lines.push(`Tick ${rules.tick_size} · step ${rules.qty_step} · min ${rules.min_qty}`);
    info.replaceChildren(...lines.map((t) => h("div", { text: t })));
  };
  const frame = frameBatcher(apply);
  const names = ["side", "order_type", "qty", "qty_unit", "price", "time_in_force", "reduce_only", "conditional", "trigger_price", "take_profit", "stop_loss", "rules_info", "problems", "preview", "market", "status", "can_trade", "trade_block", "confirm", "position", "balance", "conn_state", "conn_reason", "error", "symbol"];
  const off = onChanges(model, names, frame.schedule);
  const offStatus = onChanges(model, ["status", "confirm"], () => {
    awaiting = false;
    clearTimeout(awaitTimer);
  });
  apply();
  return () => {
    off();
    offStatus();
    clearTimeout(awaitTimer);
    frame.cancel();
  };
}

export default { render };
