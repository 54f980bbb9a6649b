# Los textos de las páginas de los fans en español (referencia: en.ftl).

language-name = Español
lang-switcher = Idioma
tickets = Entradas
promoter-message = Mensaje del organizador

## Cuenta atrás, antes de la venta
not-on-sale-title = aún no está a la venta
not-on-sale-heading = Aún no está a la venta
not-on-sale-soon = Las entradas salen a la venta pronto. Mantén esta página abierta: te deja entrar sola en cuanto empiece la venta.
countdown-label = Tiempo hasta que empiece la venta
countdown-days = días
countdown-hours = horas
countdown-minutes = min
countdown-seconds = s
not-on-sale-noscript = Esta página se actualiza cada { $seconds } segundos y te deja entrar cuando empiece la venta.
not-on-sale-footer = No hace falta actualizar. Actualizar no te hace entrar antes.
js-sale-open = ¡La venta ha empezado! Te llevamos a la fila…
js-sale-opens = Las entradas salen a la venta el { $opens }. Mantén esta página abierta: te deja entrar sola.
js-prequeue-opens = La prefila abre el { $prequeue }; su orden se sortea al empezar la venta, el { $opens }. Mantén esta página abierta: te deja entrar sola.

## Después de la venta
closed-title = venta cerrada
closed-heading = Esta venta ha terminado
closed-body = Se han vendido todas las entradas de esta venta o la venta ha terminado. Gracias por tu paciencia.
closed-follow = Sigue al organizador para enterarte de nuevas fechas.

## Prueba de trabajo
getting-place-title = consiguiendo tu lugar
getting-place-heading = Consiguiendo tu lugar…
getting-place-body = Tu navegador hace un cálculo breve que impide que los bots ocupen lugares. Mantén esta página abierta: entras en la fila en cuanto termine.
getting-place-work = consiguiendo tu lugar
getting-place-noscript = Esta venta necesita JavaScript: tu navegador demuestra que no es un bot con un cálculo breve. Activa JavaScript y vuelve a cargar esta página.
js-pow-tries = consiguiendo tu lugar ({ $tries } intentos)
js-pow-rate-limited = Demasiadas solicitudes desde tu red. Nuevo intento en { $seconds } segundos…
js-pow-refused = No se pudo tomar tu lugar ({ $reason }). Nuevo intento en { $seconds } segundos…
js-pow-failed = No se pudo conseguir tu lugar. Nuevo intento en 5 segundos…

## Invitaciones
invitation-title = solo con invitación
invitation-required-heading = Esta venta es solo con invitación
invitation-required-body = Para entrar en la fila, abre en este dispositivo el enlace de invitación que recibiste (por correo o en la app del organizador).
invitation-bad-heading = Este enlace de invitación no funciona
invitation-bad-reason = Motivo: { $reason }.
invitation-bad-body = Comprueba que abriste el enlace completo que recibiste para esta venta. Si ha caducado, pide uno nuevo al organizador.
invitation-personal = Las invitaciones son personales: cada miembro tiene un lugar en la fila, en cualquier dispositivo.

## Venta no encontrada
not-found-title = Venta no encontrada
not-found-heading = No encontramos esa venta
not-found-body = Revisa el enlace que seguiste. Los enlaces de venta son así: { $example_html }.

## Tu turno (formulario)
your-turn-title = tu turno
your-turn-heading = ¡Es tu turno!
your-turn-deadline = Tu turno está reservado hasta las { $time_html }. Continúa antes; después podrás volver a la fila.
your-turn-continue = Continuar a la página de compra
js-time-left = Tiempo restante: { $minutes } min { $seconds } s.
js-time-warning = Queda menos de un minuto de tu turno: { $seconds } s.
js-time-over = Tu turno ha terminado. Vuelve a cargar esta página para ver tu situación.

## Demasiadas solicitudes, saturación
rate-limited-title = Demasiadas solicitudes – espera, por favor
rate-limited-body = Llegaron demasiadas solicitudes de lugar desde tu red en poco tiempo, así que retenemos esta. Si ya tenías un lugar en la fila, lo conservas.
retry-in = Esta página vuelve a intentarlo sola en { $seconds } segundos. No hace falta actualizar.
busy-title = Mucha demanda – conservas tu lugar
busy-body = Hay tantos fans ahora mismo que no pudimos responder a tiempo. Si ya tenías un lugar en la fila, lo conservas.
busy-retry-again = Esta página vuelve a intentarlo sola en { $seconds } segundos (intento { $tries }; espera un poco más cada vez). No hace falta actualizar.

## Turnstile
turnstile-title = entrar en la fila
turnstile-heading = Entrar en la fila
turnstile-body = Una comprobación rápida de que eres una persona y luego ocupas tu lugar en la fila.
turnstile-button = Entrar en la fila
turnstile-noscript = Esta venta comprueba que eres una persona con Cloudflare Turnstile, que necesita JavaScript. Activa JavaScript y vuelve a cargar esta página.
turnstile-failed = La comprobación no se superó o ha caducado. Inténtalo de nuevo.

## En la fila
waiting-title = estás en la fila
waiting-heading = Estás en la fila
turn-ended-title = tu turno ha terminado
turn-ended-heading = Tu turno ha terminado
waiting-closed-heading = Esta venta ha terminado
waiting-keep-open = Mantén esta página abierta. Cuando sea tu turno, irás a la página de compra automáticamente.
prequeue-draw = Estás en la prefila. A las { $time_html } todos los de la prefila reciben un lugar en la fila en orden aleatorio, sorteado de forma justa ({ $link_html }); quienes lleguen después van detrás de todos ellos.
prequeue-draw-link = cómo comprobar el sorteo
place-label = tu lugar en la fila
progress-label = Avance hacia el principio de la fila
ahead-label = delante de ti
eta-label = espera estimada
phase-label = estado de la venta
notify-button = Avísame cuando sea mi turno
push-offer = Puedes cerrar esta página: te avisaremos cuando estés cerca del principio y cuando sea tu turno.
push-off-button = Desactivar las notificaciones
push-noscript = Recibir avisos después de cerrar esta página requiere JavaScript: sin él, mantén esta página abierta.
rejoin-button = Volver a la fila
waiting-noscript = Esta página se actualiza cada { $seconds } segundos y te lleva a la página de compra cuando sea tu turno.
waiting-footer = Conservas tu lugar si actualizas o vuelves más tarde en este dispositivo, o en otro dispositivo al que lo muevas.
wait-under-minute = < 1 min
wait-minutes = { $minutes } min
wait-hours = { $hours } h { $minutes } min

## Lugar y turno
place-in-prequeue = En la prefila
place-your-turn = ¡Es tu turno!
place-sale-closed = Venta cerrada
place-not-found = Lugar no encontrado
place-lost = No encontramos el registro de tu lugar.
place-lost-invitation = Tu invitación era para un lugar; contacta con el organizador.
turn-expired-title = Pase caducado
turn-expired = Llegó tu turno y tu pase caducó antes de terminar la compra.
turn-released-title = Turno terminado
turn-released = La web de venta terminó tu turno sin compra.
turn-left-title = Lugar abandonado
turn-left = Se abandonó tu lugar: esta página dejó de conectarse antes de que llegara tu turno.
turn-missed-title = Turno perdido
turn-missed = Llegó tu turno, pero no se aprovechó a tiempo.
turn-rejoin = Puedes volver a la fila, al final.
invitation-once = Tu invitación era para un lugar, así que no se puede volver a usar.
phase-scheduled = aún no a la venta
phase-prequeue = prefila
phase-open = abierta
phase-paused = en pausa
phase-closed = cerrada
js-paused = La venta está en pausa un momento. Conservas tu lugar.
js-taking-you = Te llevamos a la página de compra…
js-turn-alert = ¡Es tu turno! Te llevamos a la página de compra.
js-closed = Esta venta ha terminado. Gracias por esperar.
js-connection-trouble = Problemas de conexión; reintentando. Conservas tu lugar.
js-place-announce = Tu lugar en la fila: { $position }. Espera estimada: { $wait }.
js-prequeue-announce = Estás en la prefila. Tu lugar se sortea al empezar la venta.
js-notify-title = Es tu turno
js-notify-body = Se está abriendo tu página de compra.
js-push-on = Las notificaciones están activadas: te avisaremos cuando estés cerca del principio y cuando sea tu turno. Puedes cerrar esta página.
js-push-off = Las notificaciones están desactivadas: mantén esta página abierta para seguir tu lugar.
js-push-denied = Las notificaciones están bloqueadas para este sitio: permítelas en los ajustes de tu navegador o mantén esta página abierta.
js-push-unsupported = Este navegador no puede avisarte cuando la página está cerrada: mantén esta página abierta.
js-push-failed = No se pudieron activar las notificaciones: mantén esta página abierta o inténtalo de nuevo.
js-push-near = { $ahead } delante de ti: vuelve a la página para estar listo.
js-push-turn = Es tu turno: vuelve antes de las { $time } para comprar tus entradas.

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = tu lugar se ha movido
place-moved-heading = Tu lugar se ha movido a otro dispositivo
place-moved = Lugar movido
place-moved-body = Tu lugar se ha movido a otro dispositivo, que ahora lo tiene. Este dispositivo ya no tiene lugar en esta fila.
move-link-button = Continuar en otro dispositivo

## Move my place: the page with the link, and the page that takes the place
move-link-title = continuar en otro dispositivo
move-link-body = Escanea este código con el otro dispositivo o abre allí el enlace. Tu lugar pasa a ese dispositivo y este deja de tenerlo.
move-link-qr = Código QR del enlace
move-link-type-code = O, en el otro dispositivo, abre { $path_html } en este sitio y escribe el código { $code_html }.
move-link-expires = El enlace funciona una sola vez, hasta las { $time_html } ({ $minutes } minutos).
move-link-last-move = Este es el último cambio de dispositivo de tu lugar.
move-link-moves-left = Cambios de dispositivo que le quedan a tu lugar después de este: { $moves }.
move-link-share-nobody = Cualquiera con el enlace puede quedarse con el lugar: no lo compartas con nadie.
move-link-back = Volver a mi lugar
move-title = trae tu lugar aquí
move-heading = Trae tu lugar a este dispositivo
move-code-label = El código que muestra tu otro dispositivo
move-button = Mover mi lugar aquí
move-body = Tu lugar en la fila pasa a este dispositivo y el otro deja de tenerlo. Si este dispositivo ya tenía su propio lugar en esta fila, lo pierde.
js-moving = Moviendo tu lugar a este dispositivo…
move-refused-invalid = Este no es un enlace para mover un lugar de esta venta. Comprueba que tienes el enlace o el código completo.
move-refused-expired = Este enlace ha caducado. Pide uno nuevo en el dispositivo que tiene tu lugar.
move-refused-moved = Este enlace ya se usó: el lugar se ha movido.
move-refused-moves-used-up = Este lugar ya se ha movido todas las veces posibles.
move-refused-turn-taken = El turno de este lugar ya se ha usado, así que ya no se puede mover.
move-refused-closed = Esta venta ha terminado.
move-refused-other = No se pudo mover tu lugar aquí. Inténtalo de nuevo o pide un enlace nuevo.

## Come as a party
invite-friends-button = Invitar a amigos
party-link-title = invitar a amigos
party-link-body = Envía este enlace a hasta { $friends } amigos. Se unen a tu lugar en vez de tomar uno propio, y entráis juntos.
party-link-type-code = O abren { $path_html } en este sitio y escriben el código { $code_html }.
party-link-expires = El enlace funciona hasta { $time_html } ({ $minutes } minutos).
party-title = unirse a un grupo
party-heading = Únete al lugar de tu amigo
party-code-label = El código que te envió tu amigo
party-join-button = Unirme al grupo
party-gives-up = Si este dispositivo ya tiene un lugar propio en esta fila, al unirte lo pierdes: entrarás con tu amigo.
in-a-party = Estás en un grupo: entras junto con el amigo que te invitó.
party-size = Tu grupo: { $size } de { $max } como máximo.
see-my-party = Ver mi grupo
party-leave-button = Salir del grupo
party-left = Saliste del grupo. Tu lugar anterior se perdió al unirte; puedes volver a entrar en la fila al final.
party-refused-invalid = Este no es un enlace de grupo de esta venta. Comprueba que tienes el enlace o el código completo.
party-refused-expired = Este enlace de grupo ha caducado. Pide uno nuevo a tu amigo.
party-refused-full = Este grupo está completo.
party-refused-in-a-party = Ya estás en un grupo, o tu lugar encabeza uno: solo puedes estar en un grupo.
party-refused-moved = Este enlace ya no funciona: el lugar que indica se ha movido, o el lugar de este dispositivo ya se perdió.
party-refused-turn-taken = A este grupo ya le ha llegado el turno.
party-refused-other = No pudiste unirte a este grupo. Inténtalo de nuevo o pide un enlace nuevo a tu amigo.
party-refused-needs-script = Esta venta reserva cada lugar para el dispositivo que lo tiene, así que unirse a un grupo necesita JavaScript (crea la clave de este dispositivo). Activa JavaScript y vuelve a abrir el enlace.

## The assisted lane (more time for the turn), on the waiting page
assist-granted = Tienes el carril asistido: cuando llegue tu turno, tendrás { $multiplier } veces más tiempo para aprovecharlo y comprar.
assist-offer = ¿Necesitas más tiempo para comprar, por ejemplo con tecnología de apoyo o con alguien que te ayude? El carril asistido te da { $multiplier } veces más tiempo cuando llegue tu turno. Tu lugar en la fila no cambia.
assist-button = Necesito más tiempo
assist-notice-granted = Tienes el carril asistido: cuando llegue tu turno, tendrás { $multiplier } veces más tiempo para aprovecharlo y comprar. Tu lugar en la fila no cambia.
assist-notice-full = Todos los lugares asistidos de esta venta están ocupados. Conservas tu lugar en la fila, con el tiempo habitual.
assist-notice-too-late = Tu turno ya ha llegado: el carril asistido se pide mientras esperas.
assist-notice-unavailable = No se pudo conceder el carril asistido. Conservas tu lugar en la fila.

## The sale's public report
report-title = informe
report-heading = Qué pasó en esta venta
report-final-at = La venta terminó a las { $time_html }. Estas cifras son definitivas.
report-final = La venta ha terminado. Estas cifras son definitivas.
report-live = La venta sigue en curso ({ $phase }): estas cifras aún cambian.
report-fans-in-line = Fans en la fila
report-admitted = Fans que entraron
report-completed = Compras completadas
report-left = Se fueron antes de su turno
report-median-wait = Espera mediana, de la llegada al turno
report-p90-wait = El 90 % de los fans esperó como máximo
report-wait-seconds = { $seconds } s
report-wait-minutes = { $minutes } min { $seconds } s
report-waits-hidden = Las esperas se muestran cuando han entrado al menos { $count } fans, para que no se vea la espera de nadie en concreto.
report-refused-heading = Lugares rechazados
report-refused-body = Solicitudes de lugar que una defensa rechazó (un script rechazado diez veces cuenta diez).
report-refused-pow = Prueba de trabajo sin una solución válida
report-refused-rate = Demasiadas solicitudes desde una dirección
report-refused-turnstile = No superaron la verificación de Turnstile
report-refused-invitation = Sin una invitación válida
report-refused-socket = Conexiones por encima del límite por dirección
report-draw-heading = El sorteo
report-draw-body = Los fans que llegaron antes de abrir la venta se pusieron en un orden aleatorio, fijado antes de que llegara nadie.
report-commitment = Compromiso (SHA-256 de la clave)
report-key = Clave
report-key-hidden = aún no revelada
report-key-matches = La clave coincide con el compromiso
report-yes = sí
report-no = no
report-not-drawn = aún no sorteado
report-verify = Compruébalo tú mismo:
report-json = Estas cifras en JSON

# Bound to this device (device_binding): the binding page, the waiting and move pages' notes, their scripts.
binding-body = En esta venta tu lugar es solo para este dispositivo: no se puede copiar a otro navegador, compartir ni vender. Mantén esta página abierta: entrarás en la fila en un momento.
binding-noscript = Para unirte a esta venta se necesita JavaScript: cada lugar es del dispositivo que lo toma, con una clave que tu navegador crea y nunca comparte. Activa JavaScript y vuelve a cargar esta página.
binding-confirming = Confirmando este dispositivo…
waiting-bound-noscript = Este lugar está ligado a la clave de este dispositivo, así que moverlo a otro dispositivo necesita JavaScript en ambos.
door-bound-noscript = Es tu turno, y este lugar está reservado para el dispositivo que lo tomó: solo JavaScript puede usar la clave de este dispositivo para confirmarlo. Activa JavaScript y vuelve a cargar esta página.
move-bound-body = En esta venta cada lugar es del dispositivo que lo tiene: tu lugar quedará ligado a la clave de este dispositivo, y solo este dispositivo podrá usar tu turno.
move-bound-noscript = Mover un lugar en esta venta necesita JavaScript (crea la clave de este dispositivo): actívalo y vuelve a abrir el enlace. Hasta entonces tu lugar se queda donde está.
move-refused-needs-script = En esta venta cada lugar es del dispositivo que lo tiene, así que mover tu lugar aquí necesita JavaScript (crea la clave de este dispositivo). Activa JavaScript y vuelve a abrir el enlace; hasta entonces tu lugar se queda donde está.
js-bound-elsewhere-position = Reservado para otro dispositivo
js-bound-elsewhere-title = No es el lugar de este dispositivo
js-bound-elsewhere = Este lugar se tomó en otro dispositivo, y solo ese dispositivo puede usarlo.
js-bind-taken-elsewhere = El lugar que tiene este navegador se tomó en otro dispositivo, y solo ese dispositivo puede usarlo.
js-move-failed = No se pudo mover tu lugar aquí.
js-move-retry = No se pudo mover tu lugar aquí. Vuelve a abrir el enlace para intentarlo de nuevo.
