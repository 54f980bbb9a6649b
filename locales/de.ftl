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
push-offer = Du kannst diese Seite schließen: Wir benachrichtigen dich, wenn du fast vorne bist und wenn du dran bist.
push-off-button = Benachrichtigungen ausschalten
push-noscript = Benachrichtigungen nach dem Schließen dieser Seite brauchen JavaScript: ohne JavaScript lass diese Seite geöffnet.
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
js-push-on = Benachrichtigungen sind an: Wir benachrichtigen dich, wenn du fast vorne bist und wenn du dran bist. Du kannst diese Seite schließen.
js-push-off = Benachrichtigungen sind aus: Lass diese Seite geöffnet, um deinen Platz im Blick zu behalten.
js-push-denied = Benachrichtigungen sind für diese Seite blockiert: Erlaube sie in den Einstellungen deines Browsers oder lass diese Seite geöffnet.
js-push-unsupported = Dieser Browser kann dich nicht benachrichtigen, wenn die Seite geschlossen ist: Lass diese Seite geöffnet.
js-push-failed = Benachrichtigungen konnten nicht eingeschaltet werden: Lass diese Seite geöffnet oder versuche es noch einmal.
js-push-near = { $ahead } vor dir: Komm zurück zur Seite, um bereit zu sein.
js-push-turn = Du bist dran: Komm bis { $time } zurück, um deine Tickets zu kaufen.

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = dein Platz wurde verschoben
place-moved-heading = Dein Platz wurde auf ein anderes Gerät verschoben
place-moved = Platz verschoben
place-moved-body = Dein Platz wurde auf ein anderes Gerät verschoben, das ihn jetzt hält. Dieses Gerät hat keinen Platz mehr in dieser Warteschlange.
move-link-button = Auf einem anderen Gerät fortfahren

## Move my place: the page with the link, and the page that takes the place
move-link-title = auf einem anderen Gerät fortfahren
move-link-body = Scanne diesen Code mit dem anderen Gerät oder öffne dort den Link. Dein Platz geht auf dieses Gerät über, und dieses hier hat ihn dann nicht mehr.
move-link-qr = QR-Code des Links
move-link-type-code = Oder öffne auf dem anderen Gerät { $path_html } auf dieser Website und gib den Code { $code_html } ein.
move-link-expires = Der Link funktioniert einmal, bis { $time_html } ({ $minutes } Minuten).
move-link-last-move = Dies ist die letzte Verschiebung deines Platzes.
move-link-moves-left = Danach kann dein Platz noch { $moves } Mal verschoben werden.
move-link-share-nobody = Wer den Link hat, kann den Platz übernehmen: Teile ihn mit niemandem.
move-link-back = Zurück zu meinem Platz
move-title = Platz auf dieses Gerät holen
move-heading = Hol deinen Platz auf dieses Gerät
move-code-label = Der Code, den dein anderes Gerät anzeigt
move-button = Platz hierher verschieben
move-body = Dein Platz in der Warteschlange geht auf dieses Gerät über, und das andere Gerät hat ihn dann nicht mehr. Hatte dieses Gerät schon einen eigenen Platz in dieser Warteschlange, gibt es ihn auf.
js-moving = Dein Platz wird auf dieses Gerät verschoben …
move-refused-invalid = Das ist kein Link, um einen Platz in diesem Verkauf zu verschieben. Prüfe, ob du den ganzen Link oder Code hast.
move-refused-expired = Dieser Link ist abgelaufen. Hol dir auf dem Gerät, das deinen Platz hat, einen neuen.
move-refused-moved = Dieser Link wurde schon benutzt: Der Platz wurde verschoben.
move-refused-moves-used-up = Dieser Platz wurde so oft verschoben, wie es geht.
move-refused-turn-taken = Dieser Platz war schon dran und kann nicht mehr verschoben werden.
move-refused-closed = Dieser Verkauf ist beendet.
move-refused-other = Dein Platz konnte nicht hierher verschoben werden. Versuch es noch einmal oder hol dir einen neuen Link.

## Come as a party
invite-friends-button = Freunde einladen
party-link-title = Freunde einladen
party-link-body = Schick diesen Link an bis zu { $friends } Freunde. Sie kommen auf deinen Platz, statt einen eigenen zu nehmen, und ihr werdet zusammen eingelassen.
party-link-type-code = Oder sie öffnen { $path_html } auf dieser Seite und geben den Code { $code_html } ein.
party-link-expires = Der Link gilt bis { $time_html } ({ $minutes } Minuten).
party-title = einer Gruppe beitreten
party-heading = Komm auf den Platz deines Freundes
party-code-label = Der Code, den dein Freund geschickt hat
party-join-button = Der Gruppe beitreten
party-gives-up = Hat dieses Gerät schon einen eigenen Platz in dieser Warteschlange, gibst du ihn mit dem Beitritt auf: Du wirst dann mit deinem Freund eingelassen.
in-a-party = Du bist in einer Gruppe: Du wirst zusammen mit dem Freund eingelassen, der dich eingeladen hat.
party-size = Deine Gruppe: { $size } von höchstens { $max }.
see-my-party = Meine Gruppe ansehen
party-leave-button = Gruppe verlassen
party-left = Du hast die Gruppe verlassen. Deinen früheren Platz hast du beim Beitritt aufgegeben; du kannst dich hinten wieder anstellen.
party-refused-invalid = Das ist kein Gruppenlink dieses Verkaufs. Prüf, ob du den ganzen Link oder Code hast.
party-refused-expired = Dieser Gruppenlink ist abgelaufen. Bitte deinen Freund um einen neuen.
party-refused-full = Diese Gruppe ist voll.
party-refused-in-a-party = Du bist schon in einer Gruppe, oder dein Platz führt eine: Du kannst in höchstens einer Gruppe sein.
party-refused-moved = Dieser Link funktioniert nicht mehr: Der Platz, den er nennt, wurde verschoben, oder der Platz dieses Geräts wurde schon aufgegeben.
party-refused-turn-taken = Diese Gruppe ist schon an der Reihe.
party-refused-other = Du konntest dieser Gruppe nicht beitreten. Versuch es noch einmal oder bitte deinen Freund um einen neuen Link.
party-refused-needs-script = Bei diesem Verkauf gehört jeder Platz zu dem Gerät, das ihn hält; um einer Gruppe beizutreten, braucht es daher JavaScript (es erzeugt den Schlüssel dieses Geräts). Schalte JavaScript ein und öffne den Link erneut.

## The assisted lane (more time for the turn), on the waiting page
assist-granted = Du hast die unterstützte Spur: Wenn du dran bist, hast du { $multiplier }-mal so viel Zeit zum Annehmen und Kaufen.
assist-offer = Brauchst du mehr Zeit zum Kaufen, etwa mit assistiver Technik oder mit jemandem, der dir hilft? Die unterstützte Spur gibt dir { $multiplier }-mal so viel Zeit, wenn du dran bist. Dein Platz in der Warteschlange bleibt gleich.
assist-button = Ich brauche mehr Zeit
assist-notice-granted = Du hast die unterstützte Spur: Wenn du dran bist, hast du { $multiplier }-mal so viel Zeit zum Annehmen und Kaufen. Dein Platz in der Warteschlange bleibt unverändert.
assist-notice-full = Alle unterstützten Plätze dieses Verkaufs sind vergeben. Du behältst deinen Platz in der Warteschlange, mit der üblichen Zeit.
assist-notice-too-late = Du bist schon dran: Die unterstützte Spur beantragst du, während du wartest.
assist-notice-unavailable = Die unterstützte Spur konnte nicht gewährt werden. Du behältst deinen Platz in der Warteschlange.

## The sale's public report
report-title = Bericht
report-heading = Was in diesem Verkauf geschah
report-final-at = Der Verkauf endete um { $time_html }. Diese Zahlen sind endgültig.
report-final = Der Verkauf ist beendet. Diese Zahlen sind endgültig.
report-live = Der Verkauf läuft noch ({ $phase }): Diese Zahlen ändern sich noch.
report-fans-in-line = Fans in der Warteschlange
report-admitted = Eingelassene Fans
report-completed = Abgeschlossene Käufe
report-left = Gegangen, bevor sie dran waren
report-median-wait = Wartezeit im Median, vom Anstellen bis zum Drankommen
report-p90-wait = 90 % der Fans warteten höchstens
report-wait-seconds = { $seconds } Sek.
report-wait-minutes = { $minutes } Min. { $seconds } Sek.
report-waits-hidden = Wartezeiten werden gezeigt, sobald mindestens { $count } Fans eingelassen wurden, damit keine einzelne Wartezeit erkennbar ist.
report-refused-heading = Abgelehnte Plätze
report-refused-body = Anfragen nach einem Platz, die eine Schutzmaßnahme abgewiesen hat (ein zehnmal abgewiesenes Skript zählt zehnfach).
report-refused-pow = Arbeitsnachweis ohne gültige Lösung
report-refused-rate = Zu viele Anfragen von einer Adresse
report-refused-turnstile = Turnstile-Prüfung nicht bestanden
report-refused-invitation = Ohne gültige Einladung
report-refused-socket = Verbindungen über der Grenze pro Adresse
report-draw-heading = Die Auslosung
report-draw-body = Fans, die vor Verkaufsbeginn kamen, wurden in eine zufällige Reihenfolge gebracht, die festgelegt war, bevor jemand ankam.
report-commitment = Festlegung (SHA-256 des Schlüssels)
report-key = Schlüssel
report-key-hidden = noch nicht veröffentlicht
report-key-matches = Schlüssel passt zur Festlegung
report-yes = ja
report-no = nein
report-not-drawn = noch nicht ausgelost
report-verify = Prüfe es selbst:
report-json = Diese Zahlen als JSON

# Bound to this device (device_binding): the binding page, the waiting and move pages' notes, their scripts.
binding-body = Dein Platz in diesem Verkauf gilt nur für dieses Gerät: Er lässt sich nicht in einen anderen Browser kopieren, teilen oder verkaufen. Lass diese Seite offen: Gleich bist du in der Warteschlange.
binding-noscript = Für diesen Verkauf wird JavaScript benötigt: Jeder Platz gehört dem Gerät, das ihn nimmt, mit einem Schlüssel, den dein Browser erzeugt und nie weitergibt. Schalte JavaScript ein und lade diese Seite neu.
binding-confirming = Dieses Gerät wird bestätigt …
waiting-bound-noscript = Dieser Platz gehört zum Schlüssel dieses Geräts; um ihn auf ein anderes Gerät zu verschieben, braucht es JavaScript auf beiden Geräten.
door-bound-noscript = Du bist an der Reihe, und dieser Platz gehört zu dem Gerät, das ihn genommen hat: Nur mit JavaScript kann der Schlüssel dieses Geräts ihn bestätigen. Schalte JavaScript ein und lade diese Seite neu.
move-bound-body = In diesem Verkauf gehört jeder Platz dem Gerät, das ihn hält: Dein Platz gehört dann zum Schlüssel dieses Geräts, und nur dieses Gerät kann deinen Einlass nutzen.
move-bound-noscript = Um in diesem Verkauf einen Platz zu verschieben, wird JavaScript benötigt (es erzeugt den Schlüssel dieses Geräts): Schalte es ein und öffne den Link noch einmal. Bis dahin bleibt dein Platz, wo er ist.
move-refused-needs-script = In diesem Verkauf gehört jeder Platz dem Gerät, das ihn hält; um deinen Platz hierher zu verschieben, wird daher JavaScript benötigt (es erzeugt den Schlüssel dieses Geräts). Schalte JavaScript ein und öffne den Link noch einmal; bis dahin bleibt dein Platz, wo er ist.
js-bound-elsewhere-position = Für ein anderes Gerät reserviert
js-bound-elsewhere-title = Nicht der Platz dieses Geräts
js-bound-elsewhere = Dieser Platz wurde auf einem anderen Gerät genommen, und nur dieses Gerät kann ihn nutzen.
js-bind-taken-elsewhere = Der Platz, den dieser Browser hält, wurde auf einem anderen Gerät genommen, und nur dieses Gerät kann ihn nutzen.
js-move-failed = Dein Platz konnte nicht hierher verschoben werden.
js-move-retry = Dein Platz konnte nicht hierher verschoben werden. Öffne den Link noch einmal, um es erneut zu versuchen.
