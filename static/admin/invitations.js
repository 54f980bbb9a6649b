// Invitation links (invitation-only sales).

import { api, ApiError, salePath } from "./api.js";
import { handleBackgroundError } from "./session.js";
import { $, state } from "./state.js";

export function showInvitations(r) {
  const shown = r.access === "invite";
  if (!shown || $("invitations").dataset.sale !== r.id) {
    $("invite-rows").textContent = "";
    $("invite-table").hidden = true;
    $("e-invite").hidden = true;
  }
  $("invitations").dataset.sale = r.id;
  $("invitations").hidden = !shown;
}

export async function onInvite(event) {
  event.preventDefault();
  const error = $("e-invite");
  error.hidden = true;
  const members = $("f-invite-members").value.split("\n").map((m) => m.trim()).filter(Boolean);
  const count = Number($("f-invite-count").value.trim() || "0");
  const body = members.length ? { members } : { count };
  try {
    const answer = await api("POST", `${salePath(state.selected)}/invitations`, body);
    const rows = $("invite-rows");
    rows.textContent = "";
    for (const inv of answer.invitations) {
      const tr = document.createElement("tr");
      const member = document.createElement("td");
      member.textContent = inv.member;
      const link = document.createElement("td");
      const input = document.createElement("input");
      input.readOnly = true;
      input.value = inv.url;
      input.className = "invite-url";
      input.setAttribute("aria-label", `Invitation link for ${inv.member}`);
      link.append(input);
      tr.append(member, link);
      rows.append(tr);
    }
    $("invite-table").hidden = false;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return handleBackgroundError(e);
    error.textContent = e.message;
    error.hidden = false;
  }
}
