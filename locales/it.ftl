# I testi delle pagine dei fan in italiano (riferimento: en.ftl).

language-name = Italiano
lang-switcher = Lingua
tickets = Biglietti
promoter-message = Messaggio dell’organizzatore

## Conto alla rovescia, prima della vendita
not-on-sale-title = non ancora in vendita
not-on-sale-heading = Non ancora in vendita
not-on-sale-soon = I biglietti saranno presto in vendita. Tieni aperta questa pagina: ti fa entrare da sola appena inizia la vendita.
countdown-label = Tempo all’inizio della vendita
countdown-days = giorni
countdown-hours = ore
countdown-minutes = min
countdown-seconds = s
not-on-sale-noscript = Questa pagina si aggiorna ogni { $seconds } secondi e ti fa entrare appena inizia la vendita.
not-on-sale-footer = Non serve aggiornare. Aggiornare non ti fa entrare prima.
js-sale-open = La vendita è aperta! Ti portiamo in coda…
js-sale-opens = I biglietti sono in vendita dal { $opens }. Tieni aperta questa pagina: ti fa entrare da sola.
js-prequeue-opens = La pre-coda apre il { $prequeue }; il suo ordine viene sorteggiato all’apertura della vendita, il { $opens }. Tieni aperta questa pagina: ti fa entrare da sola.

## Dopo la vendita
closed-title = vendita chiusa
closed-heading = Questa vendita è chiusa
closed-body = Tutti i biglietti di questa vendita sono stati venduti o la vendita è terminata. Grazie per la pazienza.
closed-follow = Segui l’organizzatore per sapere di nuove date.

## Prova di lavoro
getting-place-title = ottenimento del tuo posto
getting-place-heading = Stiamo ottenendo il tuo posto…
getting-place-body = Il tuo browser esegue un breve calcolo che impedisce ai bot di prendere posti. Tieni aperta questa pagina: entri in coda appena finisce.
getting-place-work = ottenimento del tuo posto
getting-place-noscript = Per questa vendita serve JavaScript: il tuo browser dimostra di non essere un bot con un breve calcolo. Attiva JavaScript e ricarica la pagina.
js-pow-tries = ottenimento del tuo posto ({ $tries } tentativi)
js-pow-rate-limited = Troppe richieste dalla tua rete. Nuovo tentativo tra { $seconds } secondi…
js-pow-refused = Non è stato possibile prendere il tuo posto ({ $reason }). Nuovo tentativo tra { $seconds } secondi…
js-pow-failed = Impossibile ottenere il tuo posto. Nuovo tentativo tra 5 secondi…

## Inviti
invitation-title = su invito
invitation-required-heading = Questa vendita è solo su invito
invitation-required-body = Per entrare in coda, apri su questo dispositivo il link d’invito che hai ricevuto (via e-mail o nell’app dell’organizzatore).
invitation-bad-heading = Questo link d’invito non funziona
invitation-bad-reason = Motivo: { $reason }.
invitation-bad-body = Controlla di aver aperto il link completo ricevuto per questa vendita. Se è scaduto, chiedine uno nuovo all’organizzatore.
invitation-personal = Gli inviti sono personali: ogni membro ha un posto in coda, su qualsiasi dispositivo.

## Vendita non trovata
not-found-title = Vendita non trovata
not-found-heading = Non troviamo questa vendita
not-found-body = Controlla il link che hai seguito. I link delle vendite sono così: { $example_html }.

## Il tuo turno (modulo)
your-turn-title = il tuo turno
your-turn-heading = È il tuo turno!
your-turn-deadline = Il tuo turno è riservato fino alle { $time_html }. Continua prima; dopo potrai rimetterti in coda.
your-turn-continue = Vai alla pagina d’acquisto
js-time-left = Tempo rimasto: { $minutes } min { $seconds } s.
js-time-warning = Manca meno di un minuto al termine del tuo turno: { $seconds } s.
js-time-over = Il tuo turno è terminato. Ricarica la pagina per vedere a che punto sei.

## Troppe richieste, sovraccarico
rate-limited-title = Troppe richieste – attendi
rate-limited-body = Dalla tua rete sono arrivate troppe richieste di posto in poco tempo, quindi tratteniamo questa. Se avevi già un posto in coda, ce l’hai ancora.
retry-in = Questa pagina riprova da sola tra { $seconds } secondi. Non serve aggiornare.
busy-title = Molto traffico – il tuo posto resta
busy-body = Ci sono così tanti fan in questo momento che non abbiamo potuto rispondere in tempo. Se avevi già un posto in coda, ce l’hai ancora.
busy-retry-again = Questa pagina riprova da sola tra { $seconds } secondi (tentativo { $tries }; aspetta un po’ di più ogni volta). Non serve aggiornare.

## Turnstile
turnstile-title = mettiti in coda
turnstile-heading = Mettiti in coda
turnstile-body = Un rapido controllo che sei una persona, poi prendi il tuo posto in coda.
turnstile-button = Mettiti in coda
turnstile-noscript = Questa vendita verifica che sei una persona con Cloudflare Turnstile, che richiede JavaScript. Attiva JavaScript e ricarica la pagina.
turnstile-failed = Il controllo non è riuscito o è scaduto. Riprova.

## In coda
waiting-title = sei in coda
waiting-heading = Sei in coda
turn-ended-title = il tuo turno è terminato
turn-ended-heading = Il tuo turno è terminato
waiting-closed-heading = Questa vendita è chiusa
waiting-keep-open = Tieni aperta questa pagina. Quando sarà il tuo turno, andrai automaticamente alla pagina d’acquisto.
prequeue-draw = Sei nella pre-coda. Alle { $time_html } tutti quelli nella pre-coda ricevono un posto in coda in ordine casuale, sorteggiato in modo equo ({ $link_html }); chi arriva dopo si mette in coda dopo tutti loro.
prequeue-draw-link = come verificare il sorteggio
place-label = il tuo posto in coda
progress-label = Avanzamento verso l’inizio della coda
ahead-label = davanti a te
eta-label = attesa stimata
phase-label = stato della vendita
notify-button = Avvisami quando è il mio turno
push-offer = Puoi chiudere questa pagina: ti avviseremo quando sarai vicino all'inizio e quando sarà il tuo turno.
push-off-button = Disattiva le notifiche
push-noscript = Essere avvisati dopo aver chiuso questa pagina richiede JavaScript: senza, tieni aperta questa pagina.
rejoin-button = Rimettiti in coda
waiting-noscript = Questa pagina si aggiorna ogni { $seconds } secondi e ti porta alla pagina d’acquisto quando è il tuo turno.
waiting-footer = Il tuo posto resta se aggiorni o torni più tardi su questo dispositivo, o su un altro dispositivo su cui lo sposti.
wait-under-minute = < 1 min
wait-minutes = { $minutes } min
wait-hours = { $hours } h { $minutes } min

## Posto e turno
place-in-prequeue = Nella pre-coda
place-your-turn = È il tuo turno!
place-sale-closed = Vendita chiusa
place-not-found = Posto non trovato
place-lost = Non abbiamo trovato il record del tuo posto.
place-lost-invitation = Il tuo invito valeva per un posto; contatta l’organizzatore.
turn-expired-title = Pass scaduto
turn-expired = È arrivato il tuo turno e il pass è scaduto prima che l’acquisto fosse completato.
turn-released-title = Turno terminato
turn-released = Il sito dei biglietti ha chiuso il tuo turno senza acquisto.
turn-left-title = Posto abbandonato
turn-left = Il tuo posto è stato abbandonato: questa pagina ha smesso di collegarsi prima del tuo turno.
turn-missed-title = Turno perso
turn-missed = È arrivato il tuo turno, ma non è stato preso in tempo.
turn-rejoin = Puoi rimetterti in coda, in fondo.
invitation-once = Il tuo invito valeva per un posto, quindi non può essere riutilizzato.
phase-scheduled = non ancora in vendita
phase-prequeue = pre-coda
phase-open = aperta
phase-paused = in pausa
phase-closed = chiusa
js-paused = La vendita è in pausa per un momento. Mantieni il tuo posto.
js-taking-you = Ti portiamo alla pagina d’acquisto…
js-turn-alert = È il tuo turno! Ti portiamo alla pagina d’acquisto.
js-closed = Questa vendita è chiusa. Grazie per l’attesa.
js-connection-trouble = Problemi di connessione; nuovo tentativo. Mantieni il tuo posto.
js-place-announce = Il tuo posto in coda: { $position }. Attesa stimata: { $wait }.
js-prequeue-announce = Sei nella pre-coda. Il tuo posto viene sorteggiato all’apertura della vendita.
js-notify-title = È il tuo turno
js-notify-body = La tua pagina d’acquisto si sta aprendo.
js-push-on = Le notifiche sono attive: ti avviseremo quando sarai vicino all'inizio e quando sarà il tuo turno. Puoi chiudere questa pagina.
js-push-off = Le notifiche sono disattivate: tieni aperta questa pagina per seguire il tuo posto.
js-push-denied = Le notifiche sono bloccate per questo sito: consentile nelle impostazioni del browser, oppure tieni aperta questa pagina.
js-push-unsupported = Questo browser non può avvisarti quando la pagina è chiusa: tieni aperta questa pagina.
js-push-failed = Non è stato possibile attivare le notifiche: tieni aperta questa pagina o riprova.
js-push-near = { $ahead } davanti a te: torna alla pagina per essere pronto.
js-push-turn = È il tuo turno: torna entro le { $time } per acquistare i biglietti.

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = il tuo posto è stato spostato
place-moved-heading = Il tuo posto è stato spostato su un altro dispositivo
place-moved = Posto spostato
place-moved-body = Il tuo posto è stato spostato su un altro dispositivo, che ora lo tiene. Questo dispositivo non ha più un posto in questa coda.
move-link-button = Continua su un altro dispositivo

## Move my place: the page with the link, and the page that takes the place
move-link-title = continua su un altro dispositivo
move-link-body = Scansiona questo codice con l’altro dispositivo, oppure apri lì il link. Il tuo posto passa a quel dispositivo e questo non lo ha più.
move-link-qr = Codice QR del link
move-link-type-code = Oppure, sull’altro dispositivo, apri { $path_html } su questo sito e inserisci il codice { $code_html }.
move-link-expires = Il link funziona una sola volta, fino alle { $time_html } ({ $minutes } minuti).
move-link-last-move = Questo è l’ultimo spostamento del tuo posto.
move-link-moves-left = Spostamenti che restano al tuo posto dopo questo: { $moves }.
move-link-share-nobody = Chiunque abbia il link può prendere il posto: non condividerlo con nessuno.
move-link-back = Torna al mio posto
move-title = prendi qui il tuo posto
move-heading = Prendi il tuo posto su questo dispositivo
move-code-label = Il codice mostrato dall’altro dispositivo
move-button = Sposta qui il mio posto
move-body = Il tuo posto in coda passa a questo dispositivo e l’altro non lo ha più. Se questo dispositivo aveva già un suo posto in questa coda, lo lascia.
js-moving = Spostamento del tuo posto su questo dispositivo…
move-refused-invalid = Questo non è un link per spostare un posto di questa vendita. Controlla di avere il link o il codice completo.
move-refused-expired = Questo link è scaduto. Chiedine uno nuovo sul dispositivo che ha il tuo posto.
move-refused-moved = Questo link è già stato usato: il posto è stato spostato.
move-refused-moves-used-up = Questo posto è già stato spostato tutte le volte possibili.
move-refused-turn-taken = Il turno di questo posto è già stato preso, quindi non può più essere spostato.
move-refused-closed = Questa vendita è chiusa.
move-refused-other = Non è stato possibile spostare qui il tuo posto. Riprova, oppure chiedi un nuovo link.

## Come as a party
invite-friends-button = Invita amici
party-link-title = invita amici
party-link-body = Manda questo link a { $friends } amici al massimo. Entrano nel tuo posto invece di prenderne uno loro, ed entrate insieme.
party-link-type-code = Oppure aprono { $path_html } su questo sito e scrivono il codice { $code_html }.
party-link-expires = Il link funziona fino a { $time_html } ({ $minutes } minuti).
party-title = unisciti a un gruppo
party-heading = Unisciti al posto del tuo amico
party-code-label = Il codice che ti ha mandato il tuo amico
party-join-button = Unisciti al gruppo
party-gives-up = Se questo dispositivo ha già un posto suo in questa coda, unendoti lo lasci: entrerai con il tuo amico.
in-a-party = Sei in un gruppo: entri insieme all’amico che ti ha invitato.
party-size = Il tuo gruppo: { $size } su { $max } al massimo.
see-my-party = Vedi il mio gruppo
party-leave-button = Lascia il gruppo
party-left = Hai lasciato il gruppo. Il tuo posto precedente è stato lasciato quando ti sei unito; puoi rimetterti in coda in fondo.
party-refused-invalid = Questo non è un link di gruppo di questa vendita. Controlla di avere il link o il codice completo.
party-refused-expired = Questo link di gruppo è scaduto. Chiedine uno nuovo al tuo amico.
party-refused-full = Questo gruppo è al completo.
party-refused-in-a-party = Sei già in un gruppo, oppure il tuo posto ne guida uno: puoi essere in un solo gruppo.
party-refused-moved = Questo link non funziona più: il posto che indica è stato spostato, oppure il posto di questo dispositivo è già stato lasciato.
party-refused-turn-taken = Per questo gruppo il turno è già arrivato.
party-refused-other = Non è stato possibile unirti a questo gruppo. Riprova, oppure chiedi un nuovo link al tuo amico.
party-refused-needs-script = Questa vendita riserva ogni posto al dispositivo che lo tiene, quindi per unirti a un gruppo serve JavaScript (crea la chiave di questo dispositivo). Attiva JavaScript e riapri il link.

## The assisted lane (more time for the turn), on the waiting page
assist-granted = Hai la corsia assistita: quando arriva il tuo turno, hai { $multiplier } volte il tempo per prenderlo e acquistare.
assist-offer = Ti serve più tempo per acquistare, per esempio con tecnologie assistive o con qualcuno che ti aiuta? La corsia assistita ti dà { $multiplier } volte il tempo quando arriva il tuo turno. Il tuo posto in coda resta lo stesso.
assist-button = Mi serve più tempo
assist-notice-granted = Hai la corsia assistita: quando arriva il tuo turno, hai { $multiplier } volte il tempo per prenderlo e acquistare. Il tuo posto in coda non cambia.
assist-notice-full = Tutti i posti assistiti di questa vendita sono occupati. Mantieni il tuo posto in coda, con il tempo normale.
assist-notice-too-late = Il tuo turno è già arrivato: la corsia assistita si chiede mentre aspetti.
assist-notice-unavailable = Non è stato possibile concedere la corsia assistita. Mantieni il tuo posto in coda.

## The sale's public report
report-title = resoconto
report-heading = Cosa è successo in questa vendita
report-final-at = La vendita è terminata alle { $time_html }. Questi numeri sono definitivi.
report-final = La vendita è terminata. Questi numeri sono definitivi.
report-live = La vendita è ancora in corso ({ $phase }): questi numeri possono ancora cambiare.
report-fans-in-line = Fan in coda
report-admitted = Fan fatti entrare
report-completed = Acquisti completati
report-left = Usciti prima del loro turno
report-median-wait = Attesa mediana, dall’arrivo al turno
report-p90-wait = Il 90% dei fan ha atteso al massimo
report-wait-seconds = { $seconds } s
report-wait-minutes = { $minutes } min { $seconds } s
report-waits-hidden = Le attese si vedono quando sono entrati almeno { $count } fan, così che non si veda l’attesa di un singolo fan.
report-refused-heading = Posti rifiutati
report-refused-body = Richieste di un posto respinte da una difesa (uno script respinto dieci volte conta dieci).
report-refused-pow = Proof of work senza una soluzione valida
report-refused-rate = Troppe richieste da un solo indirizzo
report-refused-turnstile = Verifica Turnstile non superata
report-refused-invitation = Senza un invito valido
report-refused-socket = Connessioni oltre il limite per indirizzo
report-draw-heading = Il sorteggio
report-draw-body = I fan arrivati prima dell’apertura della vendita sono stati messi in un ordine casuale, fissato prima che arrivasse chiunque.
report-commitment = Impegno (SHA-256 della chiave)
report-key = Chiave
report-key-hidden = non ancora rivelata
report-key-matches = La chiave corrisponde all’impegno
report-yes = sì
report-no = no
report-not-drawn = non ancora sorteggiato
report-verify = Verificalo tu stesso:
report-json = Questi numeri in JSON

# Bound to this device (device_binding): the binding page, the waiting and move pages' notes, their scripts.
binding-body = In questa vendita il tuo posto vale solo per questo dispositivo: non si può copiare in un altro browser, condividere o vendere. Tieni aperta questa pagina: entri in coda tra un momento.
binding-noscript = Per entrare in questa vendita serve JavaScript: ogni posto appartiene al dispositivo che lo prende, con una chiave che il tuo browser crea e non condivide mai. Attiva JavaScript e ricarica questa pagina.
binding-confirming = Conferma di questo dispositivo…
waiting-bound-noscript = Questo posto è legato alla chiave di questo dispositivo, quindi per spostarlo su un altro dispositivo serve JavaScript su entrambi.
door-bound-noscript = È il tuo turno, e questo posto è riservato al dispositivo che l'ha preso: solo JavaScript può usare la chiave di questo dispositivo per confermarlo. Attiva JavaScript e ricarica questa pagina.
move-bound-body = In questa vendita ogni posto appartiene al dispositivo che lo tiene: il tuo posto sarà legato alla chiave di questo dispositivo, e solo questo dispositivo potrà usare il tuo turno.
move-bound-noscript = Per spostare un posto in questa vendita serve JavaScript (crea la chiave di questo dispositivo): attivalo e riapri il link. Fino ad allora il tuo posto resta dov’è.
move-refused-needs-script = In questa vendita ogni posto appartiene al dispositivo che lo tiene, quindi per spostare qui il tuo posto serve JavaScript (crea la chiave di questo dispositivo). Attiva JavaScript e riapri il link; fino ad allora il tuo posto resta dov’è.
js-bound-elsewhere-position = Riservato a un altro dispositivo
js-bound-elsewhere-title = Non è il posto di questo dispositivo
js-bound-elsewhere = Questo posto è stato preso su un altro dispositivo, e solo quel dispositivo può usarlo.
js-bind-taken-elsewhere = Il posto che questo browser tiene è stato preso su un altro dispositivo, e solo quel dispositivo può usarlo.
js-move-failed = Non è stato possibile spostare qui il tuo posto.
js-move-retry = Non è stato possibile spostare qui il tuo posto. Riapri il link per riprovare.
