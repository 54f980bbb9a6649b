# The fan pages' words in English: the reference catalogue. Every other catalogue in this folder
# must have exactly these messages with exactly these { $variables } (the build checks it).
# Only text and { $variable } are used. A variable ending in _html is a piece of the page (a
# link, a time): keep it, move it where your language needs it. "js-", "phase-", "turn-" and
# "place-" messages are also used by the pages' scripts.

language-name = English
lang-switcher = Language
tickets = Tickets
promoter-message = Message from the organiser

## The countdown, before the sale
not-on-sale-title = not on sale yet
not-on-sale-heading = Not on sale yet
not-on-sale-soon = Tickets go on sale soon. Keep this page open: it lets you in by itself the moment the sale opens.
countdown-label = Time until the sale opens
countdown-days = days
countdown-hours = hours
countdown-minutes = min
countdown-seconds = sec
not-on-sale-noscript = This page refreshes every { $seconds } seconds and lets you in once the sale opens.
not-on-sale-footer = You do not need to refresh. Refreshing does not get you in sooner.
js-sale-open = The sale is open! Taking you to the line…
js-sale-opens = Tickets go on sale { $opens }. Keep this page open: it lets you in by itself.
js-prequeue-opens = The pre-queue opens { $prequeue }; its order is drawn at random when the sale opens, { $opens }. Keep this page open: it lets you in by itself.

## After the sale
closed-title = sale closed
closed-heading = This sale has closed
closed-body = All tickets for this sale have been sold or the sale has ended. Thank you for your patience.
closed-follow = Follow the promoter for news of added dates.

## Proof of work
getting-place-title = getting your place
getting-place-heading = Getting your place…
getting-place-body = Your browser is doing a short calculation that keeps bots from taking places. Keep this page open: you join the line as soon as it is done.
getting-place-work = getting your place
getting-place-noscript = JavaScript is needed to join this sale: your browser proves it is not a bot with a short calculation. Turn JavaScript on and reload this page.
js-pow-tries = getting your place ({ $tries } tries)
js-pow-rate-limited = Too many requests from your network. Trying again in { $seconds } seconds…
js-pow-refused = Your place could not be taken ({ $reason }). Trying again in { $seconds } seconds…
js-pow-failed = Could not get your place. Trying again in 5 seconds…

## Invitations
invitation-title = by invitation
invitation-required-heading = This sale is by invitation only
invitation-required-body = To join the line, open the invitation link you were sent (by email or in the promoter's app) on this device.
invitation-bad-heading = This invitation link does not work
invitation-bad-reason = Reason: { $reason }.
invitation-bad-body = Check that you opened the whole link you were sent, for this sale. If it has expired, ask the promoter for a new one.
invitation-personal = Invitations are personal: each member has one place in line, on any device.

## No such sale
not-found-title = Sale not found
not-found-heading = We can't find that sale
not-found-body = Check the link you followed. Sale links look like { $example_html }.

## The turn, posted to the purchase page
your-turn-title = your turn
your-turn-heading = It's your turn!
your-turn-deadline = Your turn is held for you until { $time_html }. Continue before then; after that you can join the line again.
your-turn-continue = Continue to the purchase page
js-time-left = Time left: { $minutes } min { $seconds } s.
js-time-warning = Less than a minute left of your turn: { $seconds } s.
js-time-over = Your turn has ended. Reload this page to see where you stand.

## Too many requests, busy
rate-limited-title = Too many requests – please wait
rate-limited-body = Too many requests for a place in line came from your network in a short time, so we are holding this one back. If you already had a place in line, you still have it.
retry-in = This page tries again by itself in { $seconds } seconds. There is no need to refresh.
busy-title = Busy – keeping your place
busy-body = So many fans are here right now that we could not answer in time. If you already had a place in line, you still have it.
busy-retry-again = This page tries again by itself in { $seconds } seconds (try { $tries }; it waits a little longer each time). There is no need to refresh.

## Turnstile
turnstile-title = join the line
turnstile-heading = Join the line
turnstile-body = A quick check that you are a person, then you take your place in line.
turnstile-button = Join the line
turnstile-noscript = This sale checks that you are a person with Cloudflare Turnstile, which needs JavaScript. Turn JavaScript on and reload this page.
turnstile-failed = The check did not pass or has expired. Please try again.

## Waiting in line
waiting-title = you're in line
waiting-heading = You're in line
turn-ended-title = your turn has ended
turn-ended-heading = Your turn has ended
waiting-closed-heading = This sale has closed
waiting-keep-open = Keep this page open. When it is your turn, you go to the purchase page automatically.
prequeue-draw = You're in the pre-queue. At { $time_html } everyone in the pre-queue gets a place in line in a random order, drawn fairly ({ $link_html }); fans arriving later queue after all of them.
prequeue-draw-link = how to check the draw
place-label = your place in line
progress-label = Progress to the front of the line
ahead-label = ahead of you
eta-label = estimated wait
phase-label = sale status
notify-button = Notify me when it's my turn
push-offer = You may close this page: we can notify you when you are near the front and when it's your turn.
push-off-button = Turn off notifications
push-noscript = Being notified after you close this page needs JavaScript: without it, keep this page open.
rejoin-button = Join the line again
waiting-noscript = This page refreshes itself every { $seconds } seconds and takes you to the purchase page when it is your turn.
waiting-footer = Your place is kept if you refresh or come back later on this device, or on another device you move it to.
wait-under-minute = < 1 min
wait-minutes = { $minutes } min
wait-hours = { $hours } h { $minutes } min

## The fan's place and turn, in the page and its script
place-in-prequeue = In the pre-queue
place-your-turn = It's your turn!
place-sale-closed = Sale closed
place-not-found = Place not found
place-lost = We could not find the record of your place.
place-lost-invitation = Your invitation was for one place; please contact the organiser.
turn-expired-title = Pass expired
turn-expired = Your turn came, and your pass expired before the purchase was finished.
turn-released-title = Turn ended
turn-released = The ticket site ended your turn without a purchase.
turn-left-title = Place given up
turn-left = Your place was given up: this page stopped checking in before your turn came.
turn-missed-title = Turn missed
turn-missed = Your turn came, but it was not claimed in time.
turn-rejoin = You can join the line again at the back.
invitation-once = Your invitation was for one place, so it cannot be used again.
phase-scheduled = not on sale yet
phase-prequeue = pre-queue
phase-open = open
phase-paused = paused
phase-closed = closed
js-paused = The sale is paused for a moment. You keep your place.
js-taking-you = Taking you to the purchase page…
js-turn-alert = It's your turn! Taking you to the purchase page.
js-closed = This sale has closed. Thank you for waiting.
js-connection-trouble = Connection trouble; retrying. You keep your place.
js-place-announce = Your place in line: { $position }. Estimated wait: { $wait }.
js-prequeue-announce = You are in the pre-queue. Your place is drawn when the sale opens.
js-notify-title = It's your turn
js-notify-body = Your purchase page is opening.
js-push-on = Notifications are on: we'll notify you when you are near the front and when it's your turn. You may close this page.
js-push-off = Notifications are off: keep this page open to keep track of your place.
js-push-denied = Notifications are blocked for this site: allow them in your browser's settings, or keep this page open.
js-push-unsupported = This browser cannot notify you once the page is closed: keep this page open.
js-push-failed = Notifications could not be turned on: keep this page open, or try again.
js-push-near = { $ahead } ahead of you: come back to the page to be ready.
js-push-turn = It's your turn: come back by { $time } to buy your tickets.

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = your place moved
place-moved-heading = Your place moved to another device
place-moved = Place moved
place-moved-body = Your place moved to another device, which holds it now. This device no longer has a place in this line.
move-link-button = Continue on another device

## Move my place: the page with the link, and the page that takes the place
move-link-title = continue on another device
move-link-body = Scan this code with the other device, or open the link there. Your place moves to that device, and this one no longer has it.
move-link-qr = QR code of the link
move-link-type-code = Or, on the other device, open { $path_html } on this site and type the code { $code_html }.
move-link-expires = The link works once, until { $time_html } ({ $minutes } minutes).
move-link-last-move = This is your place's last move.
move-link-moves-left = Moves your place has left after this one: { $moves }.
move-link-share-nobody = Anyone with the link can take the place: share it with nobody.
move-link-back = Back to my place
move-title = take your place here
move-heading = Take your place on this device
move-code-label = The code your other device shows
move-button = Move my place here
move-body = Your place in line moves to this device, and the other device no longer has it. If this device already had a place of its own in this line, it gives that one up.
js-moving = Moving your place to this device…
move-refused-invalid = This is not a link to move a place in this sale. Check that you have the whole link or code.
move-refused-expired = This link has expired. Ask for a new one on the device that holds your place.
move-refused-moved = This link has been used already: the place has moved.
move-refused-moves-used-up = This place has moved as many times as it can.
move-refused-turn-taken = This place's turn has been taken, so it can no longer move.
move-refused-closed = This sale has closed.
move-refused-other = Your place could not be moved here. Try again, or ask for a new link.

## Come as a party (the waiting page's invite, the party link's page, a member's party)
invite-friends-button = Invite friends
party-link-title = invite friends
party-link-body = Send this link to up to { $friends } friends: they join your place, and you are let in together.
party-link-type-code = Or they open { $path_html } on this site and type the code { $code_html }.
party-link-expires = The link works until { $time_html } ({ $minutes } minutes).
party-title = join a party
party-heading = Join your friend's place
party-code-label = The code your friend sent
party-join-button = Join the party
party-gives-up = If this device has a place of its own in this line, joining gives that place up.
in-a-party = You are in a party: you are let in together.
party-size = Your party: { $size } of at most { $max }.
see-my-party = See my party
party-leave-button = Leave the party
party-left = You left the party. Your earlier place was given up when you joined.
party-refused-invalid = This is not a party link of this sale.
party-refused-expired = This party link has expired. Ask your friend for a new one.
party-refused-full = This party is full.
party-refused-in-a-party = You are in a party already, or your place leads one.
party-refused-moved = This link no longer works: its place has moved, or this device's place was given up.
party-refused-turn-taken = This party's turn has come already.
party-refused-other = You could not join this party. Try again.
party-refused-needs-script = This sale keeps each place for the device that holds it, so joining a party needs JavaScript (it makes this device's key). Turn JavaScript on and open the link again.

## The assisted lane (more time for the turn), on the waiting page
assist-granted = You have the assisted lane: when your turn comes you have { $multiplier } times as long to claim it and to buy.
assist-offer = Need more time to buy, for example with assistive technology or someone helping you? The assisted lane gives you { $multiplier } times as long when your turn comes. Your place in line stays the same.
assist-button = I need more time
assist-notice-granted = You have the assisted lane: when your turn comes you have { $multiplier } times as long to claim it and to buy. Your place in line is unchanged.
assist-notice-full = All assisted places of this sale are taken. Your place in line is kept, with the usual time.
assist-notice-too-late = Your turn has come already: the assisted lane is asked for while waiting.
assist-notice-unavailable = The assisted lane could not be granted. Your place in line is kept.

## The sale's public report
report-title = report
report-heading = What happened in this sale
report-final-at = The sale ended at { $time_html }. These numbers are final.
report-final = The sale ended. These numbers are final.
report-live = The sale is still running ({ $phase }): these numbers still change.
report-fans-in-line = Fans in line
report-admitted = Fans let in
report-completed = Purchases completed
report-left = Left before their turn
report-median-wait = Median wait, joining to turn
report-p90-wait = 90% of fans waited at most
report-wait-seconds = { $seconds } s
report-wait-minutes = { $minutes } min { $seconds } s
report-waits-hidden = Waits are shown once at least { $count } fans were let in, so that no one fan's wait is shown.
report-refused-heading = Places refused
report-refused-body = Requests for a place that a defence turned away (a script refused ten times counts ten).
report-refused-pow = Proof of work missing a valid solution
report-refused-rate = Too many requests from one address
report-refused-turnstile = Failed the Turnstile check
report-refused-invitation = Without a valid invitation
report-refused-socket = Connections past the per-address bound
report-draw-heading = The draw
report-draw-body = Fans who arrived before the sale opened were put in a random order, committed to before anyone arrived.
report-commitment = Commitment (SHA-256 of the key)
report-key = Key
report-key-hidden = not revealed yet
report-key-matches = Key matches the commitment
report-yes = yes
report-no = no
report-not-drawn = not drawn yet
report-verify = Check it yourself:
report-json = These numbers as JSON

# Bound to this device (device_binding): the binding page, the waiting and move pages' notes, their scripts.
binding-body = Your place in this sale is kept for this device only: it cannot be copied to another browser, shared or sold. Keep this page open: you join the line in a moment.
binding-noscript = JavaScript is needed to join this sale: each place is kept for the device that takes it, with a key your browser makes and never shares. Turn JavaScript on and reload this page.
binding-confirming = Confirming this device…
waiting-bound-noscript = This place is kept for this device's key, so moving it to another device needs JavaScript on both devices.
door-bound-noscript = It's your turn, and this place is kept for the device that took it: only JavaScript can use this device's key to confirm it. Turn JavaScript on and reload this page.
move-bound-body = This sale keeps each place for the device that holds it: your place will be kept for this device's key, and only this device can use your turn.
move-bound-noscript = Moving a place in this sale needs JavaScript (it makes this device's key): turn it on and open the link again. Your place stays where it is until then.
move-refused-needs-script = This sale keeps each place for the device that holds it, so moving your place here needs JavaScript (it makes this device's key). Turn JavaScript on and open the link again; your place stays where it is until then.
js-bound-elsewhere-position = Kept for another device
js-bound-elsewhere-title = Not this device's place
js-bound-elsewhere = This place was taken on another device, and only that device can use it.
js-bind-taken-elsewhere = The place this browser holds was taken on another device, and only that device can use it.
js-move-failed = Could not move your place here.
js-move-retry = Could not move your place here. Open the link again to retry.
