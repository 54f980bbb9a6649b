# Die Texte der Fan-Seiten auf Deutsch (Referenz: en.ftl).

language-name = Deutsch
lang-switcher = Sprache
tickets = Tickets
promoter-message = Nachricht des Veranstalters

## Countdown vor dem Verkauf
not-on-sale-title = noch nicht im Verkauf
not-on-sale-heading = Noch nicht im Verkauf
not-on-sale-soon = Der Ticketverkauf beginnt bald. Lass diese Seite offen: Sie lässt dich automatisch herein, sobald der Verkauf beginnt.
countdown-label = Zeit bis zum Verkaufsstart
countdown-days = Tage
countdown-hours = Std.
countdown-minutes = Min.
countdown-seconds = Sek.
not-on-sale-noscript = Diese Seite lädt sich alle { $seconds } Sekunden neu und lässt dich herein, sobald der Verkauf beginnt.
not-on-sale-footer = Du musst die Seite nicht neu laden. Neu laden bringt dich nicht schneller hinein.
js-sale-open = Der Verkauf hat begonnen! Du kommst jetzt in die Warteschlange …
js-sale-opens = Der Ticketverkauf beginnt am { $opens }. Lass diese Seite offen: Sie lässt dich automatisch herein.
js-prequeue-opens = Die Vorwarteschlange öffnet am { $prequeue }; ihre Reihenfolge wird beim Verkaufsstart am { $opens } zufällig ausgelost. Lass diese Seite offen: Sie lässt dich automatisch herein.

## Nach dem Verkauf
closed-title = Verkauf beendet
closed-heading = Dieser Verkauf ist beendet
closed-body = Alle Tickets dieses Verkaufs sind verkauft oder der Verkauf ist vorbei. Danke für deine Geduld.
closed-follow = Folge dem Veranstalter, um von Zusatzterminen zu erfahren.

## Rechenaufgabe (Proof of Work)
getting-place-title = dein Platz wird geholt
getting-place-heading = Dein Platz wird geholt …
getting-place-body = Dein Browser löst eine kurze Rechenaufgabe, die Bots davon abhält, Plätze zu belegen. Lass diese Seite offen: Du kommst in die Warteschlange, sobald sie gelöst ist.
getting-place-work = dein Platz wird geholt
getting-place-noscript = Für diesen Verkauf wird JavaScript benötigt: Dein Browser beweist mit einer kurzen Rechnung, dass er kein Bot ist. Aktiviere JavaScript und lade die Seite neu.
js-pow-tries = dein Platz wird geholt ({ $tries } Versuche)
js-pow-rate-limited = Zu viele Anfragen aus deinem Netzwerk. Neuer Versuch in { $seconds } Sekunden …
js-pow-refused = Dein Platz konnte nicht vergeben werden ({ $reason }). Neuer Versuch in { $seconds } Sekunden …
js-pow-failed = Dein Platz konnte nicht geholt werden. Neuer Versuch in 5 Sekunden …

## Einladungen
invitation-title = nur mit Einladung
invitation-required-heading = Dieser Verkauf ist nur mit Einladung
invitation-required-body = Um dich anzustellen, öffne auf diesem Gerät den Einladungslink, den du bekommen hast (per E-Mail oder in der App des Veranstalters).
invitation-bad-heading = Dieser Einladungslink funktioniert nicht
invitation-bad-reason = Grund: { $reason }.
invitation-bad-body = Prüfe, ob du den ganzen Link für diesen Verkauf geöffnet hast. Ist er abgelaufen, bitte den Veranstalter um einen neuen.
invitation-personal = Einladungen sind persönlich: Jedes Mitglied hat einen Platz in der Warteschlange, auf jedem Gerät.

## Verkauf nicht gefunden
not-found-title = Verkauf nicht gefunden
not-found-heading = Wir finden diesen Verkauf nicht
not-found-body = Prüfe den Link, dem du gefolgt bist. Links zu Verkäufen sehen so aus: { $example_html }.

## Du bist dran (Formular)
your-turn-title = du bist dran
your-turn-heading = Du bist dran!
your-turn-deadline = Dein Zug ist für dich reserviert bis { $time_html }. Mach vorher weiter; danach kannst du dich erneut anstellen.
your-turn-continue = Weiter zur Kaufseite
js-time-left = Verbleibende Zeit: { $minutes } Min. { $seconds } Sek.
js-time-warning = Weniger als eine Minute übrig: { $seconds } Sek.
js-time-over = Deine Zeit ist abgelaufen. Lade die Seite neu, um zu sehen, wo du stehst.

## Zu viele Anfragen, ausgelastet
rate-limited-title = Zu viele Anfragen – bitte warten
rate-limited-body = Aus deinem Netzwerk kamen in kurzer Zeit zu viele Anfragen nach einem Platz, deshalb halten wir diese zurück. Wenn du schon einen Platz hattest, hast du ihn noch.
retry-in = Diese Seite versucht es in { $seconds } Sekunden von selbst erneut. Du musst nicht neu laden.
busy-title = Ausgelastet – dein Platz bleibt
busy-body = Gerade sind so viele Fans hier, dass wir nicht rechtzeitig antworten konnten. Wenn du schon einen Platz hattest, hast du ihn noch.
busy-retry-again = Diese Seite versucht es in { $seconds } Sekunden von selbst erneut (Versuch { $tries }; sie wartet jedes Mal etwas länger). Du musst nicht neu laden.

## Turnstile
turnstile-title = anstellen
turnstile-heading = In die Warteschlange
turnstile-body = Eine kurze Prüfung, dass du ein Mensch bist, dann bekommst du deinen Platz.
turnstile-button = Anstellen
turnstile-noscript = Dieser Verkauf prüft mit Cloudflare Turnstile, dass du ein Mensch bist; dafür wird JavaScript benötigt. Aktiviere JavaScript und lade die Seite neu.
turnstile-failed = Die Prüfung war nicht erfolgreich oder ist abgelaufen. Bitte versuche es erneut.

## In der Warteschlange
waiting-title = du stehst an
waiting-heading = Du stehst in der Warteschlange
turn-ended-title = dein Zug ist vorbei
turn-ended-heading = Dein Zug ist vorbei
waiting-closed-heading = Dieser Verkauf ist beendet
waiting-keep-open = Lass diese Seite offen. Wenn du dran bist, kommst du automatisch zur Kaufseite.
prequeue-draw = Du bist in der Vorwarteschlange. Um { $time_html } bekommen alle in der Vorwarteschlange einen Platz in zufälliger, fair ausgeloster Reihenfolge ({ $link_html }); wer später kommt, stellt sich hinter allen an.
prequeue-draw-link = so prüfst du die Auslosung
place-label = dein Platz in der Warteschlange
progress-label = Fortschritt bis zum Anfang der Warteschlange
ahead-label = vor dir
eta-label = geschätzte Wartezeit
phase-label = Verkaufsstatus
notify-button = Benachrichtige mich, wenn ich dran bin
rejoin-button = Erneut anstellen
waiting-noscript = Diese Seite lädt sich alle { $seconds } Sekunden neu und bringt dich zur Kaufseite, wenn du dran bist.
waiting-footer = Dein Platz bleibt erhalten, wenn du neu lädst oder später auf diesem Gerät zurückkommst, oder auf einem anderen Gerät, auf das du ihn verschiebst.
wait-under-minute = < 1 Min.
wait-minutes = { $minutes } Min.
wait-hours = { $hours } Std. { $minutes } Min.

## Platz und Zug
place-in-prequeue = In der Vorwarteschlange
place-your-turn = Du bist dran!
place-sale-closed = Verkauf beendet
place-not-found = Platz nicht gefunden
place-lost = Wir konnten den Eintrag deines Platzes nicht finden.
place-lost-invitation = Deine Einladung galt für einen Platz; bitte wende dich an den Veranstalter.
turn-expired-title = Pass abgelaufen
turn-expired = Du warst dran, und dein Pass ist abgelaufen, bevor der Kauf abgeschlossen war.
turn-released-title = Zug beendet
turn-released = Die Ticketseite hat deinen Zug ohne Kauf beendet.
turn-left-title = Platz aufgegeben
turn-left = Dein Platz wurde aufgegeben: Diese Seite hat sich nicht mehr gemeldet, bevor du dran warst.
turn-missed-title = Zug verpasst
turn-missed = Du warst dran, aber der Zug wurde nicht rechtzeitig angenommen.
turn-rejoin = Du kannst dich hinten erneut anstellen.
invitation-once = Deine Einladung galt für einen Platz und kann nicht erneut verwendet werden.
phase-scheduled = noch nicht im Verkauf
phase-prequeue = Vorwarteschlange
phase-open = geöffnet
phase-paused = pausiert
phase-closed = beendet
js-paused = Der Verkauf ist kurz pausiert. Dein Platz bleibt.
js-taking-you = Du wirst zur Kaufseite gebracht …
js-turn-alert = Du bist dran! Du wirst zur Kaufseite gebracht.
js-closed = Dieser Verkauf ist beendet. Danke fürs Warten.
js-connection-trouble = Verbindungsprobleme; neuer Versuch. Dein Platz bleibt.
js-place-announce = Dein Platz in der Warteschlange: { $position }. Geschätzte Wartezeit: { $wait }.
js-prequeue-announce = Du bist in der Vorwarteschlange. Dein Platz wird beim Verkaufsstart ausgelost.
js-notify-title = Du bist dran
js-notify-body = Deine Kaufseite wird geöffnet.

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = dein Platz wurde verschoben
place-moved-heading = Dein Platz wurde auf ein anderes Gerät verschoben
place-moved = Platz verschoben
place-moved-body = Dein Platz wurde auf ein anderes Gerät verschoben, das ihn jetzt hält. Dieses Gerät hat keinen Platz mehr in dieser Warteschlange.
move-link-button = Auf einem anderen Gerät fortfahren
