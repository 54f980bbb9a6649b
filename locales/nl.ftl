# De teksten van de fanpagina's in het Nederlands (referentie: en.ftl).

language-name = Nederlands
lang-switcher = Taal
tickets = Tickets
promoter-message = Bericht van de organisator

## Aftellen, voor de verkoop
not-on-sale-title = nog niet in de verkoop
not-on-sale-heading = Nog niet in de verkoop
not-on-sale-soon = De kaartverkoop begint binnenkort. Houd deze pagina open: ze laat je vanzelf binnen zodra de verkoop begint.
countdown-label = Tijd tot de verkoop begint
countdown-days = dagen
countdown-hours = uur
countdown-minutes = min
countdown-seconds = sec
not-on-sale-noscript = Deze pagina ververst elke { $seconds } seconden en laat je binnen zodra de verkoop begint.
not-on-sale-footer = Je hoeft niet te verversen. Verversen brengt je niet eerder binnen.
js-sale-open = De verkoop is begonnen! We brengen je naar de wachtrij…
js-sale-opens = De kaartverkoop begint op { $opens }. Houd deze pagina open: ze laat je vanzelf binnen.
js-prequeue-opens = De voorwachtrij opent op { $prequeue }; de volgorde wordt bij de start van de verkoop, op { $opens }, door loting bepaald. Houd deze pagina open: ze laat je vanzelf binnen.

## Na de verkoop
closed-title = verkoop gesloten
closed-heading = Deze verkoop is gesloten
closed-body = Alle tickets voor deze verkoop zijn verkocht of de verkoop is voorbij. Bedankt voor je geduld.
closed-follow = Volg de organisator voor nieuws over extra data.

## Rekenproef
getting-place-title = je plek wordt opgehaald
getting-place-heading = Je plek wordt opgehaald…
getting-place-body = Je browser doet een korte berekening die bots ervan weerhoudt plekken in te nemen. Houd deze pagina open: je komt in de wachtrij zodra die klaar is.
getting-place-work = je plek wordt opgehaald
getting-place-noscript = Voor deze verkoop is JavaScript nodig: je browser bewijst met een korte berekening dat hij geen bot is. Zet JavaScript aan en laad deze pagina opnieuw.
js-pow-tries = je plek wordt opgehaald ({ $tries } pogingen)
js-pow-rate-limited = Te veel verzoeken vanaf je netwerk. Nieuwe poging over { $seconds } seconden…
js-pow-refused = Je plek kon niet worden ingenomen ({ $reason }). Nieuwe poging over { $seconds } seconden…
js-pow-failed = Je plek kon niet worden opgehaald. Nieuwe poging over 5 seconden…

## Uitnodigingen
invitation-title = op uitnodiging
invitation-required-heading = Deze verkoop is alleen op uitnodiging
invitation-required-body = Open op dit apparaat de uitnodigingslink die je kreeg (per e-mail of in de app van de organisator) om in de wachtrij te komen.
invitation-bad-heading = Deze uitnodigingslink werkt niet
invitation-bad-reason = Reden: { $reason }.
invitation-bad-body = Controleer of je de hele link voor deze verkoop hebt geopend. Is hij verlopen, vraag de organisator dan om een nieuwe.
invitation-personal = Uitnodigingen zijn persoonlijk: elk lid heeft één plek in de wachtrij, op elk apparaat.

## Verkoop niet gevonden
not-found-title = Verkoop niet gevonden
not-found-heading = We kunnen die verkoop niet vinden
not-found-body = Controleer de link die je volgde. Links naar een verkoop zien er zo uit: { $example_html }.

## Je beurt (formulier)
your-turn-title = je beurt
your-turn-heading = Je bent aan de beurt!
your-turn-deadline = Je beurt is voor je gereserveerd tot { $time_html }. Ga vóór die tijd verder; daarna kun je opnieuw in de wachtrij.
your-turn-continue = Verder naar de aankooppagina
js-time-left = Resterende tijd: { $minutes } min { $seconds } sec.
js-time-warning = Nog minder dan een minuut van je beurt: { $seconds } sec.
js-time-over = Je beurt is voorbij. Laad deze pagina opnieuw om te zien waar je staat.

## Te veel verzoeken, druk
rate-limited-title = Te veel verzoeken – even geduld
rate-limited-body = Er kwamen in korte tijd te veel verzoeken om een plek vanaf je netwerk, dus houden we dit verzoek tegen. Had je al een plek in de wachtrij, dan heb je die nog.
retry-in = Deze pagina probeert het over { $seconds } seconden vanzelf opnieuw. Je hoeft niet te verversen.
busy-title = Druk – je plek blijft bewaard
busy-body = Er zijn nu zoveel fans dat we niet op tijd konden antwoorden. Had je al een plek in de wachtrij, dan heb je die nog.
busy-retry-again = Deze pagina probeert het over { $seconds } seconden vanzelf opnieuw (poging { $tries }; ze wacht elke keer iets langer). Je hoeft niet te verversen.

## Turnstile
turnstile-title = in de wachtrij
turnstile-heading = In de wachtrij
turnstile-body = Een snelle controle dat je een mens bent, daarna neem je je plek in de wachtrij in.
turnstile-button = In de wachtrij
turnstile-noscript = Deze verkoop controleert met Cloudflare Turnstile dat je een mens bent; daarvoor is JavaScript nodig. Zet JavaScript aan en laad deze pagina opnieuw.
turnstile-failed = De controle is mislukt of verlopen. Probeer het opnieuw.

## In de wachtrij
waiting-title = je staat in de wachtrij
waiting-heading = Je staat in de wachtrij
turn-ended-title = je beurt is voorbij
turn-ended-heading = Je beurt is voorbij
waiting-closed-heading = Deze verkoop is gesloten
waiting-keep-open = Houd deze pagina open. Als je aan de beurt bent, ga je vanzelf naar de aankooppagina.
prequeue-draw = Je staat in de voorwachtrij. Om { $time_html } krijgt iedereen in de voorwachtrij een plek in de wachtrij in willekeurige, eerlijk gelote volgorde ({ $link_html }); wie later komt, sluit achter hen allemaal aan.
prequeue-draw-link = zo controleer je de loting
place-label = je plek in de wachtrij
progress-label = Voortgang naar het begin van de wachtrij
ahead-label = voor je
eta-label = geschatte wachttijd
phase-label = status van de verkoop
notify-button = Laat het me weten als ik aan de beurt ben
push-offer = Je kunt deze pagina sluiten: we laten het je weten als je bijna vooraan bent en als je aan de beurt bent.
push-off-button = Meldingen uitzetten
push-noscript = Een melding krijgen nadat je deze pagina sluit vraagt JavaScript: zonder JavaScript houd je deze pagina open.
rejoin-button = Opnieuw in de wachtrij
waiting-noscript = Deze pagina ververst elke { $seconds } seconden en brengt je naar de aankooppagina als je aan de beurt bent.
waiting-footer = Je plek blijft bewaard als je ververst of later op dit apparaat terugkomt, of op een ander apparaat waarnaar je hem verplaatst.
wait-under-minute = < 1 min
wait-minutes = { $minutes } min
wait-hours = { $hours } u { $minutes } min

## Plek en beurt
place-in-prequeue = In de voorwachtrij
place-your-turn = Je bent aan de beurt!
place-sale-closed = Verkoop gesloten
place-not-found = Plek niet gevonden
place-lost = We konden de gegevens van je plek niet vinden.
place-lost-invitation = Je uitnodiging gold voor één plek; neem contact op met de organisator.
turn-expired-title = Pas verlopen
turn-expired = Je was aan de beurt, en je pas verliep voordat de aankoop klaar was.
turn-released-title = Beurt beëindigd
turn-released = De ticketsite heeft je beurt zonder aankoop beëindigd.
turn-left-title = Plek opgegeven
turn-left = Je plek is opgegeven: deze pagina meldde zich niet meer voordat je aan de beurt was.
turn-missed-title = Beurt gemist
turn-missed = Je was aan de beurt, maar die werd niet op tijd genomen.
turn-rejoin = Je kunt achteraan opnieuw in de wachtrij.
invitation-once = Je uitnodiging gold voor één plek en kan niet opnieuw worden gebruikt.
phase-scheduled = nog niet in de verkoop
phase-prequeue = voorwachtrij
phase-open = open
phase-paused = gepauzeerd
phase-closed = gesloten
js-paused = De verkoop is even gepauzeerd. Je houdt je plek.
js-taking-you = We brengen je naar de aankooppagina…
js-turn-alert = Je bent aan de beurt! We brengen je naar de aankooppagina.
js-closed = Deze verkoop is gesloten. Bedankt voor het wachten.
js-connection-trouble = Verbindingsproblemen; we proberen het opnieuw. Je houdt je plek.
js-place-announce = Je plek in de wachtrij: { $position }. Geschatte wachttijd: { $wait }.
js-prequeue-announce = Je staat in de voorwachtrij. Je plek wordt geloot zodra de verkoop begint.
js-notify-title = Je bent aan de beurt
js-notify-body = Je aankooppagina gaat open.
js-push-on = Meldingen staan aan: we laten het je weten als je bijna vooraan bent en als je aan de beurt bent. Je kunt deze pagina sluiten.
js-push-off = Meldingen staan uit: houd deze pagina open om je plek te volgen.
js-push-denied = Meldingen zijn voor deze site geblokkeerd: sta ze toe in de instellingen van je browser, of houd deze pagina open.
js-push-unsupported = Deze browser kan je geen melding geven als de pagina gesloten is: houd deze pagina open.
js-push-failed = Meldingen konden niet worden aangezet: houd deze pagina open, of probeer het opnieuw.
js-push-near = { $ahead } voor je: kom terug naar de pagina om klaar te staan.
js-push-turn = Je bent aan de beurt: kom voor { $time } terug om je tickets te kopen.

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = je plek is verplaatst
place-moved-heading = Je plek is verplaatst naar een ander apparaat
place-moved = Plek verplaatst
place-moved-body = Je plek is verplaatst naar een ander apparaat, dat hem nu heeft. Dit apparaat heeft geen plek meer in deze wachtrij.
move-link-button = Doorgaan op een ander apparaat

## Move my place: the page with the link, and the page that takes the place
move-link-title = doorgaan op een ander apparaat
move-link-body = Scan deze code met het andere apparaat, of open daar de link. Je plek gaat naar dat apparaat, en dit apparaat heeft hem dan niet meer.
move-link-qr = QR-code van de link
move-link-type-code = Of open op het andere apparaat { $path_html } op deze site en typ de code { $code_html }.
move-link-expires = De link werkt één keer, tot { $time_html } ({ $minutes } minuten).
move-link-last-move = Dit is de laatste keer dat je plek kan verhuizen.
move-link-moves-left = Daarna kan je plek nog { $moves } keer verhuizen.
move-link-share-nobody = Iedereen met de link kan de plek overnemen: deel hem met niemand.
move-link-back = Terug naar mijn plek
move-title = neem je plek hier over
move-heading = Neem je plek over op dit apparaat
move-code-label = De code die je andere apparaat toont
move-button = Mijn plek hierheen verplaatsen
move-body = Je plek in de wachtrij gaat naar dit apparaat, en het andere apparaat heeft hem dan niet meer. Had dit apparaat al een eigen plek in deze wachtrij, dan geeft het die op.
js-moving = Je plek wordt naar dit apparaat verplaatst…
move-refused-invalid = Dit is geen link om een plek in deze verkoop te verplaatsen. Controleer of je de hele link of code hebt.
move-refused-expired = Deze link is verlopen. Vraag een nieuwe aan op het apparaat dat je plek heeft.
move-refused-moved = Deze link is al gebruikt: de plek is verplaatst.
move-refused-moves-used-up = Deze plek is al zo vaak verplaatst als kan.
move-refused-turn-taken = Deze plek is al aan de beurt geweest en kan niet meer verplaatst worden.
move-refused-closed = Deze verkoop is gesloten.
move-refused-other = Je plek kon niet hierheen verplaatst worden. Probeer het opnieuw, of vraag een nieuwe link aan.

## Come as a party
invite-friends-button = Vrienden uitnodigen
party-link-title = vrienden uitnodigen
party-link-body = Stuur deze link naar hoogstens { $friends } vrienden. Ze komen op jouw plek in plaats van een eigen plek te nemen, en jullie worden samen binnengelaten.
party-link-type-code = Of ze openen { $path_html } op deze site en typen de code { $code_html }.
party-link-expires = De link werkt tot { $time_html } ({ $minutes } minuten).
party-title = bij een groep komen
party-heading = Kom op de plek van je vriend
party-code-label = De code die je vriend stuurde
party-join-button = Bij de groep komen
party-gives-up = Heeft dit apparaat al een eigen plek in deze rij, dan geef je die op door mee te doen: je wordt dan met je vriend binnengelaten.
in-a-party = Je zit in een groep: je wordt samen binnengelaten met de vriend die je uitnodigde.
party-size = Je groep: { $size } van hoogstens { $max }.
see-my-party = Mijn groep bekijken
party-leave-button = Groep verlaten
party-left = Je hebt de groep verlaten. Je eerdere plek heb je opgegeven toen je meedeed; je kunt achteraan weer in de rij gaan staan.
party-refused-invalid = Dit is geen groepslink van deze verkoop. Controleer of je de hele link of code hebt.
party-refused-expired = Deze groepslink is verlopen. Vraag je vriend om een nieuwe.
party-refused-full = Deze groep is vol.
party-refused-in-a-party = Je zit al in een groep, of je plek leidt er een: je kunt in hoogstens één groep zitten.
party-refused-moved = Deze link werkt niet meer: de plek die hij noemt is verplaatst, of de plek van dit apparaat is al opgegeven.
party-refused-turn-taken = Deze groep is al aan de beurt geweest.
party-refused-other = Je kon niet bij deze groep komen. Probeer het opnieuw, of vraag je vriend om een nieuwe link.
party-refused-needs-script = Deze verkoop houdt elke plek voor het apparaat dat hem heeft, dus meedoen met een groep vraagt JavaScript (dat maakt de sleutel van dit apparaat). Zet JavaScript aan en open de link opnieuw.

## The assisted lane (more time for the turn), on the waiting page
assist-granted = Je hebt de begeleide rij: als je aan de beurt bent, heb je { $multiplier } keer zo lang om je beurt te nemen en te kopen.
assist-offer = Heb je meer tijd nodig om te kopen, bijvoorbeeld met hulpsoftware of met iemand die je helpt? De begeleide rij geeft je { $multiplier } keer zo lang als je aan de beurt bent. Je plek in de wachtrij blijft hetzelfde.
assist-button = Ik heb meer tijd nodig
assist-notice-granted = Je hebt de begeleide rij: als je aan de beurt bent, heb je { $multiplier } keer zo lang om je beurt te nemen en te kopen. Je plek in de wachtrij verandert niet.
assist-notice-full = Alle begeleide plekken van deze verkoop zijn bezet. Je houdt je plek in de wachtrij, met de gewone tijd.
assist-notice-too-late = Je bent al aan de beurt: de begeleide rij vraag je aan terwijl je wacht.
assist-notice-unavailable = De begeleide rij kon niet worden toegekend. Je houdt je plek in de wachtrij.

## The sale's public report
report-title = verslag
report-heading = Wat er in deze verkoop gebeurde
report-final-at = De verkoop eindigde om { $time_html }. Deze cijfers zijn definitief.
report-final = De verkoop is afgelopen. Deze cijfers zijn definitief.
report-live = De verkoop loopt nog ({ $phase }): deze cijfers veranderen nog.
report-fans-in-line = Fans in de wachtrij
report-admitted = Toegelaten fans
report-completed = Voltooide aankopen
report-left = Vertrokken voor hun beurt
report-median-wait = Mediane wachttijd, van aansluiten tot beurt
report-p90-wait = 90% van de fans wachtte hoogstens
report-wait-seconds = { $seconds } s
report-wait-minutes = { $minutes } min { $seconds } s
report-waits-hidden = Wachttijden worden getoond zodra minstens { $count } fans zijn toegelaten, zodat niemands eigen wachttijd te zien is.
report-refused-heading = Geweigerde plekken
report-refused-body = Verzoeken om een plek die een beveiliging afwees (een script dat tien keer werd geweigerd telt tien keer).
report-refused-pow = Proof of work zonder geldige oplossing
report-refused-rate = Te veel verzoeken van één adres
report-refused-turnstile = Turnstile-controle niet gehaald
report-refused-invitation = Zonder geldige uitnodiging
report-refused-socket = Verbindingen boven de grens per adres
report-draw-heading = De loting
report-draw-body = Fans die kwamen voordat de verkoop openging, kregen een willekeurige volgorde, vastgelegd voordat er iemand was.
report-commitment = Vastlegging (SHA-256 van de sleutel)
report-key = Sleutel
report-key-hidden = nog niet bekendgemaakt
report-key-matches = Sleutel klopt met de vastlegging
report-yes = ja
report-no = nee
report-not-drawn = nog niet geloot
report-verify = Controleer het zelf:
report-json = Deze cijfers als JSON

# Bound to this device (device_binding): the binding page, the waiting and move pages' notes, their scripts.
binding-body = In deze verkoop is je plek alleen voor dit apparaat: hij kan niet naar een andere browser worden gekopieerd, gedeeld of verkocht. Houd deze pagina open: je komt zo in de wachtrij.
binding-noscript = Voor deze verkoop is JavaScript nodig: elke plek hoort bij het apparaat dat hem neemt, met een sleutel die je browser maakt en nooit deelt. Zet JavaScript aan en laad deze pagina opnieuw.
binding-confirming = Dit apparaat wordt bevestigd…
waiting-bound-noscript = Deze plek hoort bij de sleutel van dit apparaat; hem naar een ander apparaat verplaatsen vraagt JavaScript op beide apparaten.
door-bound-noscript = Je bent aan de beurt, en deze plek hoort bij het apparaat dat hem nam: alleen JavaScript kan de sleutel van dit apparaat gebruiken om hem te bevestigen. Zet JavaScript aan en laad deze pagina opnieuw.
move-bound-body = In deze verkoop hoort elke plek bij het apparaat dat hem heeft: je plek hoort dan bij de sleutel van dit apparaat, en alleen dit apparaat kan je beurt gebruiken.
move-bound-noscript = Een plek verplaatsen vraagt in deze verkoop JavaScript (het maakt de sleutel van dit apparaat): zet het aan en open de link opnieuw. Tot dan blijft je plek waar hij is.
move-refused-needs-script = In deze verkoop hoort elke plek bij het apparaat dat hem heeft, dus je plek hierheen verplaatsen vraagt JavaScript (het maakt de sleutel van dit apparaat). Zet JavaScript aan en open de link opnieuw; tot dan blijft je plek waar hij is.
js-bound-elsewhere-position = Bewaard voor een ander apparaat
js-bound-elsewhere-title = Niet de plek van dit apparaat
js-bound-elsewhere = Deze plek is op een ander apparaat genomen, en alleen dat apparaat kan hem gebruiken.
js-bind-taken-elsewhere = De plek die deze browser heeft, is op een ander apparaat genomen, en alleen dat apparaat kan hem gebruiken.
js-move-failed = Je plek kon niet hierheen worden verplaatst.
js-move-retry = Je plek kon niet hierheen worden verplaatst. Open de link opnieuw om het nog eens te proberen.
