# Les textes des pages des fans en français (référence : en.ftl).

language-name = Français
lang-switcher = Langue
tickets = Billets
promoter-message = Message de l’organisateur

## Compte à rebours, avant la vente
not-on-sale-title = pas encore en vente
not-on-sale-heading = Pas encore en vente
not-on-sale-soon = La vente des billets commence bientôt. Gardez cette page ouverte : elle vous fait entrer d’elle-même dès l’ouverture de la vente.
countdown-label = Temps avant l’ouverture de la vente
countdown-days = jours
countdown-hours = heures
countdown-minutes = min
countdown-seconds = s
not-on-sale-noscript = Cette page s’actualise toutes les { $seconds } secondes et vous fait entrer dès l’ouverture de la vente.
not-on-sale-footer = Inutile d’actualiser. Actualiser ne vous fait pas entrer plus tôt.
js-sale-open = La vente est ouverte ! Nous vous emmenons dans la file…
js-sale-opens = La vente des billets commence le { $opens }. Gardez cette page ouverte : elle vous fait entrer d’elle-même.
js-prequeue-opens = La pré-file ouvre le { $prequeue } ; son ordre est tiré au sort à l’ouverture de la vente, le { $opens }. Gardez cette page ouverte : elle vous fait entrer d’elle-même.

## Après la vente
closed-title = vente terminée
closed-heading = Cette vente est terminée
closed-body = Tous les billets de cette vente ont été vendus ou la vente est terminée. Merci de votre patience.
closed-follow = Suivez l’organisateur pour être informé des dates ajoutées.

## Preuve de travail
getting-place-title = obtention de votre place
getting-place-heading = Obtention de votre place…
getting-place-body = Votre navigateur fait un court calcul qui empêche les robots de prendre des places. Gardez cette page ouverte : vous rejoignez la file dès qu’il est terminé.
getting-place-work = obtention de votre place
getting-place-noscript = JavaScript est nécessaire pour cette vente : votre navigateur prouve qu’il n’est pas un robot par un court calcul. Activez JavaScript et rechargez cette page.
js-pow-tries = obtention de votre place ({ $tries } essais)
js-pow-rate-limited = Trop de requêtes depuis votre réseau. Nouvel essai dans { $seconds } secondes…
js-pow-refused = Votre place n’a pas pu être prise ({ $reason }). Nouvel essai dans { $seconds } secondes…
js-pow-failed = Impossible d’obtenir votre place. Nouvel essai dans 5 secondes…

## Invitations
invitation-title = sur invitation
invitation-required-heading = Cette vente est uniquement sur invitation
invitation-required-body = Pour rejoindre la file, ouvrez sur cet appareil le lien d’invitation que vous avez reçu (par e-mail ou dans l’application de l’organisateur).
invitation-bad-heading = Ce lien d’invitation ne fonctionne pas
invitation-bad-reason = Motif : { $reason }.
invitation-bad-body = Vérifiez que vous avez ouvert le lien complet reçu pour cette vente. S’il a expiré, demandez-en un nouveau à l’organisateur.
invitation-personal = Les invitations sont personnelles : chaque membre a une place dans la file, sur n’importe quel appareil.

## Vente introuvable
not-found-title = Vente introuvable
not-found-heading = Nous ne trouvons pas cette vente
not-found-body = Vérifiez le lien que vous avez suivi. Les liens de vente ressemblent à { $example_html }.

## Votre tour (formulaire)
your-turn-title = votre tour
your-turn-heading = C’est votre tour !
your-turn-deadline = Votre tour vous est réservé jusqu’à { $time_html }. Continuez avant ; ensuite, vous pourrez rejoindre la file à nouveau.
your-turn-continue = Continuer vers la page d’achat
js-time-left = Temps restant : { $minutes } min { $seconds } s.
js-time-warning = Moins d’une minute restante pour votre tour : { $seconds } s.
js-time-over = Votre tour est terminé. Rechargez cette page pour voir où vous en êtes.

## Trop de requêtes, surcharge
rate-limited-title = Trop de requêtes – veuillez patienter
rate-limited-body = Trop de demandes de place sont venues de votre réseau en peu de temps, nous retenons donc celle-ci. Si vous aviez déjà une place dans la file, vous l’avez toujours.
retry-in = Cette page réessaie d’elle-même dans { $seconds } secondes. Inutile d’actualiser.
busy-title = Forte affluence – votre place est gardée
busy-body = Il y a tant de fans en ce moment que nous n’avons pas pu répondre à temps. Si vous aviez déjà une place dans la file, vous l’avez toujours.
busy-retry-again = Cette page réessaie d’elle-même dans { $seconds } secondes (essai { $tries } ; elle attend un peu plus à chaque fois). Inutile d’actualiser.

## Turnstile
turnstile-title = rejoindre la file
turnstile-heading = Rejoindre la file
turnstile-body = Une rapide vérification que vous êtes une personne, puis vous prenez votre place dans la file.
turnstile-button = Rejoindre la file
turnstile-noscript = Cette vente vérifie que vous êtes une personne avec Cloudflare Turnstile, qui nécessite JavaScript. Activez JavaScript et rechargez cette page.
turnstile-failed = La vérification a échoué ou a expiré. Veuillez réessayer.

## Dans la file
waiting-title = vous êtes dans la file
waiting-heading = Vous êtes dans la file
turn-ended-title = votre tour est terminé
turn-ended-heading = Votre tour est terminé
waiting-closed-heading = Cette vente est terminée
waiting-keep-open = Gardez cette page ouverte. Quand ce sera votre tour, vous irez automatiquement à la page d’achat.
prequeue-draw = Vous êtes dans la pré-file. À { $time_html }, toutes les personnes de la pré-file reçoivent une place dans la file dans un ordre aléatoire, tiré équitablement ({ $link_html }) ; les fans arrivés plus tard passent après elles.
prequeue-draw-link = comment vérifier le tirage
place-label = votre place dans la file
progress-label = Progression vers le début de la file
ahead-label = devant vous
eta-label = attente estimée
phase-label = état de la vente
notify-button = Me prévenir quand c’est mon tour
push-offer = Vous pouvez fermer cette page : nous vous préviendrons quand vous serez près de l'avant et quand ce sera votre tour.
push-off-button = Désactiver les notifications
push-noscript = Être prévenu après avoir fermé cette page nécessite JavaScript : sans lui, gardez cette page ouverte.
rejoin-button = Rejoindre la file à nouveau
waiting-noscript = Cette page s’actualise toutes les { $seconds } secondes et vous emmène à la page d’achat quand c’est votre tour.
waiting-footer = Votre place est conservée si vous actualisez ou revenez plus tard sur cet appareil, ou sur un autre appareil vers lequel vous la déplacez.
wait-under-minute = < 1 min
wait-minutes = { $minutes } min
wait-hours = { $hours } h { $minutes } min

## Place et tour
place-in-prequeue = Dans la pré-file
place-your-turn = C’est votre tour !
place-sale-closed = Vente terminée
place-not-found = Place introuvable
place-lost = Nous n’avons pas trouvé l’enregistrement de votre place.
place-lost-invitation = Votre invitation valait pour une place ; veuillez contacter l’organisateur.
turn-expired-title = Pass expiré
turn-expired = Votre tour est venu, et votre pass a expiré avant la fin de l’achat.
turn-released-title = Tour terminé
turn-released = Le site de billetterie a mis fin à votre tour sans achat.
turn-left-title = Place abandonnée
turn-left = Votre place a été abandonnée : cette page a cessé de se signaler avant votre tour.
turn-missed-title = Tour manqué
turn-missed = Votre tour est venu, mais il n’a pas été pris à temps.
turn-rejoin = Vous pouvez rejoindre la file à nouveau, à la fin.
invitation-once = Votre invitation valait pour une place ; elle ne peut pas être réutilisée.
phase-scheduled = pas encore en vente
phase-prequeue = pré-file
phase-open = ouverte
phase-paused = en pause
phase-closed = terminée
js-paused = La vente est en pause pour un instant. Vous gardez votre place.
js-taking-you = Nous vous emmenons à la page d’achat…
js-turn-alert = C’est votre tour ! Nous vous emmenons à la page d’achat.
js-closed = Cette vente est terminée. Merci d’avoir patienté.
js-connection-trouble = Problème de connexion ; nouvel essai. Vous gardez votre place.
js-place-announce = Votre place dans la file : { $position }. Attente estimée : { $wait }.
js-prequeue-announce = Vous êtes dans la pré-file. Votre place est tirée au sort à l’ouverture de la vente.
js-notify-title = C’est votre tour
js-notify-body = Votre page d’achat s’ouvre.
js-push-on = Les notifications sont activées : nous vous préviendrons quand vous serez près de l'avant et quand ce sera votre tour. Vous pouvez fermer cette page.
js-push-off = Les notifications sont désactivées : gardez cette page ouverte pour suivre votre place.
js-push-denied = Les notifications sont bloquées pour ce site : autorisez-les dans les réglages de votre navigateur, ou gardez cette page ouverte.
js-push-unsupported = Ce navigateur ne peut pas vous prévenir une fois la page fermée : gardez cette page ouverte.
js-push-failed = Les notifications n'ont pas pu être activées : gardez cette page ouverte, ou réessayez.
js-push-near = { $ahead } devant vous : revenez sur la page pour être prêt.
js-push-turn = C'est votre tour : revenez avant { $time } pour acheter vos billets.

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = votre place a été déplacée
place-moved-heading = Votre place a été déplacée vers un autre appareil
place-moved = Place déplacée
place-moved-body = Votre place a été déplacée vers un autre appareil, qui la détient désormais. Cet appareil n’a plus de place dans cette file.
move-link-button = Continuer sur un autre appareil

## Move my place: the page with the link, and the page that takes the place
move-link-title = continuer sur un autre appareil
move-link-body = Scannez ce code avec l’autre appareil, ou ouvrez-y le lien. Votre place passe sur cet appareil, et celui-ci ne l’a plus.
move-link-qr = Code QR du lien
move-link-type-code = Ou, sur l’autre appareil, ouvrez { $path_html } sur ce site et saisissez le code { $code_html }.
move-link-expires = Le lien fonctionne une seule fois, jusqu’à { $time_html } ({ $minutes } minutes).
move-link-last-move = C’est le dernier déplacement de votre place.
move-link-moves-left = Ensuite, votre place pourra encore être déplacée { $moves } fois.
move-link-share-nobody = Toute personne ayant le lien peut prendre la place : ne le partagez avec personne.
move-link-back = Retour à ma place
move-title = récupérer votre place ici
move-heading = Récupérez votre place sur cet appareil
move-code-label = Le code affiché par votre autre appareil
move-button = Déplacer ma place ici
move-body = Votre place dans la file passe sur cet appareil, et l’autre appareil ne l’a plus. Si cet appareil avait déjà sa propre place dans cette file, il l’abandonne.
js-moving = Déplacement de votre place vers cet appareil…
move-refused-invalid = Ce n’est pas un lien pour déplacer une place de cette vente. Vérifiez que vous avez le lien ou le code complet.
move-refused-expired = Ce lien a expiré. Demandez-en un nouveau sur l’appareil qui détient votre place.
move-refused-moved = Ce lien a déjà servi : la place a été déplacée.
move-refused-moves-used-up = Cette place a déjà été déplacée autant de fois que possible.
move-refused-turn-taken = Le tour de cette place a déjà été pris : elle ne peut plus être déplacée.
move-refused-closed = Cette vente est terminée.
move-refused-other = Votre place n’a pas pu être déplacée ici. Réessayez, ou demandez un nouveau lien.

## Come as a party
invite-friends-button = Inviter des amis
party-link-title = inviter des amis
party-link-body = Envoyez ce lien à { $friends } amis au plus. Ils rejoignent votre place au lieu de prendre la leur, et vous entrez ensemble.
party-link-type-code = Ou bien ils ouvrent { $path_html } sur ce site et saisissent le code { $code_html }.
party-link-expires = Le lien fonctionne jusqu’à { $time_html } ({ $minutes } minutes).
party-title = rejoindre un groupe
party-heading = Rejoignez la place de votre ami
party-code-label = Le code que votre ami a envoyé
party-join-button = Rejoindre le groupe
party-gives-up = Si cet appareil a déjà sa propre place dans cette file, la rejoindre l’abandonne : vous entrerez avec votre ami.
in-a-party = Vous êtes dans un groupe : vous entrez avec l’ami qui vous a invité.
party-size = Votre groupe : { $size } sur { $max } au plus.
see-my-party = Voir mon groupe
party-leave-button = Quitter le groupe
party-left = Vous avez quitté le groupe. Votre place précédente a été abandonnée quand vous l’avez rejoint ; vous pouvez reprendre la file à la fin.
party-refused-invalid = Ce n’est pas un lien de groupe de cette vente. Vérifiez que vous avez le lien ou le code en entier.
party-refused-expired = Ce lien de groupe a expiré. Demandez-en un nouveau à votre ami.
party-refused-full = Ce groupe est complet.
party-refused-in-a-party = Vous êtes déjà dans un groupe, ou votre place en mène un : on ne peut être que dans un seul groupe.
party-refused-moved = Ce lien ne fonctionne plus : la place qu’il désigne a été déplacée, ou la place de cet appareil a déjà été abandonnée.
party-refused-turn-taken = Le tour de ce groupe est déjà venu.
party-refused-other = Vous n’avez pas pu rejoindre ce groupe. Réessayez, ou demandez un nouveau lien à votre ami.
party-refused-needs-script = Cette vente réserve chaque place à l'appareil qui la détient : rejoindre un groupe nécessite donc JavaScript (il crée la clé de cet appareil). Activez JavaScript et rouvrez le lien.

## The assisted lane (more time for the turn), on the waiting page
assist-granted = Vous avez la file assistée : quand votre tour viendra, vous aurez { $multiplier } fois plus de temps pour le prendre et acheter.
assist-offer = Besoin de plus de temps pour acheter, par exemple avec une technologie d’assistance ou avec l’aide de quelqu’un ? La file assistée vous donne { $multiplier } fois plus de temps quand votre tour vient. Votre place dans la file ne change pas.
assist-button = J’ai besoin de plus de temps
assist-notice-granted = Vous avez la file assistée : quand votre tour viendra, vous aurez { $multiplier } fois plus de temps pour le prendre et acheter. Votre place dans la file ne change pas.
assist-notice-full = Toutes les places assistées de cette vente sont prises. Vous gardez votre place dans la file, avec le temps habituel.
assist-notice-too-late = Votre tour est déjà venu : la file assistée se demande pendant l’attente.
assist-notice-unavailable = La file assistée n’a pas pu être accordée. Vous gardez votre place dans la file.

## The sale's public report
report-title = bilan
report-heading = Ce qui s’est passé pendant cette vente
report-final-at = La vente s’est terminée à { $time_html }. Ces chiffres sont définitifs.
report-final = La vente est terminée. Ces chiffres sont définitifs.
report-live = La vente est toujours en cours ({ $phase }) : ces chiffres peuvent encore changer.
report-fans-in-line = Fans dans la file
report-admitted = Fans admis
report-completed = Achats effectués
report-left = Partis avant leur tour
report-median-wait = Attente médiane, de l’arrivée au tour
report-p90-wait = 90 % des fans ont attendu au plus
report-wait-seconds = { $seconds } s
report-wait-minutes = { $minutes } min { $seconds } s
report-waits-hidden = Les attentes sont affichées dès qu’au moins { $count } fans ont été admis, afin qu’aucune attente individuelle ne soit visible.
report-refused-heading = Places refusées
report-refused-body = Demandes de place refusées par une protection (un script refusé dix fois compte dix).
report-refused-pow = Preuve de travail sans solution valide
report-refused-rate = Trop de demandes depuis une même adresse
report-refused-turnstile = Échec de la vérification Turnstile
report-refused-invitation = Sans invitation valide
report-refused-socket = Connexions au-delà de la limite par adresse
report-draw-heading = Le tirage
report-draw-body = Les fans arrivés avant l’ouverture de la vente ont été placés dans un ordre aléatoire, fixé avant l’arrivée de quiconque.
report-commitment = Engagement (SHA-256 de la clé)
report-key = Clé
report-key-hidden = pas encore révélée
report-key-matches = La clé correspond à l’engagement
report-yes = oui
report-no = non
report-not-drawn = pas encore tiré
report-verify = Vérifiez par vous-même :
report-json = Ces chiffres en JSON

# Bound to this device (device_binding): the binding page, the waiting and move pages' notes, their scripts.
binding-body = Dans cette vente, votre place est réservée à cet appareil : elle ne peut être ni copiée dans un autre navigateur, ni partagée, ni vendue. Gardez cette page ouverte : vous rejoignez la file dans un instant.
binding-noscript = JavaScript est nécessaire pour rejoindre cette vente : chaque place est réservée à l’appareil qui la prend, avec une clé que votre navigateur crée et ne partage jamais. Activez JavaScript et rechargez cette page.
binding-confirming = Confirmation de cet appareil…
waiting-bound-noscript = Cette place est liée à la clé de cet appareil : pour la déplacer vers un autre appareil, JavaScript est nécessaire sur les deux.
door-bound-noscript = C'est votre tour, et cette place est réservée à l'appareil qui l'a prise : seul JavaScript peut utiliser la clé de cet appareil pour la confirmer. Activez JavaScript et rechargez cette page.
move-bound-body = Dans cette vente, chaque place est réservée à l’appareil qui la détient : votre place sera liée à la clé de cet appareil, et seul cet appareil pourra utiliser votre tour.
move-bound-noscript = Déplacer une place dans cette vente nécessite JavaScript (il crée la clé de cet appareil) : activez-le et rouvrez le lien. D’ici là, votre place reste où elle est.
move-refused-needs-script = Dans cette vente, chaque place est réservée à l’appareil qui la détient : déplacer votre place ici nécessite donc JavaScript (il crée la clé de cet appareil). Activez JavaScript et rouvrez le lien ; d’ici là, votre place reste où elle est.
js-bound-elsewhere-position = Réservée à un autre appareil
js-bound-elsewhere-title = Pas la place de cet appareil
js-bound-elsewhere = Cette place a été prise sur un autre appareil, et seul cet appareil peut l’utiliser.
js-bind-taken-elsewhere = La place que détient ce navigateur a été prise sur un autre appareil, et seul cet appareil peut l’utiliser.
js-move-failed = Votre place n’a pas pu être déplacée ici.
js-move-retry = Votre place n’a pas pu être déplacée ici. Rouvrez le lien pour réessayer.
