# Os textos das páginas dos fãs em português (referência: en.ftl).

language-name = Português
lang-switcher = Idioma
tickets = Ingressos
promoter-message = Mensagem do organizador

## Contagem regressiva, antes da venda
not-on-sale-title = ainda não está à venda
not-on-sale-heading = Ainda não está à venda
not-on-sale-soon = Os ingressos entram à venda em breve. Mantenha esta página aberta: ela deixa você entrar sozinha assim que a venda abrir.
countdown-label = Tempo até a abertura da venda
countdown-days = dias
countdown-hours = horas
countdown-minutes = min
countdown-seconds = s
not-on-sale-noscript = Esta página se atualiza a cada { $seconds } segundos e deixa você entrar quando a venda abrir.
not-on-sale-footer = Não é preciso atualizar. Atualizar não faz você entrar mais cedo.
js-sale-open = A venda abriu! Levando você para a fila…
js-sale-opens = Os ingressos entram à venda em { $opens }. Mantenha esta página aberta: ela deixa você entrar sozinha.
js-prequeue-opens = A pré-fila abre em { $prequeue }; a ordem é sorteada quando a venda abre, em { $opens }. Mantenha esta página aberta: ela deixa você entrar sozinha.

## Depois da venda
closed-title = venda encerrada
closed-heading = Esta venda foi encerrada
closed-body = Todos os ingressos desta venda foram vendidos ou a venda terminou. Obrigado pela paciência.
closed-follow = Siga o organizador para saber de novas datas.

## Prova de trabalho
getting-place-title = obtendo seu lugar
getting-place-heading = Obtendo seu lugar…
getting-place-body = Seu navegador está fazendo um cálculo curto que impede robôs de ocupar lugares. Mantenha esta página aberta: você entra na fila assim que terminar.
getting-place-work = obtendo seu lugar
getting-place-noscript = Esta venda precisa de JavaScript: seu navegador prova que não é um robô com um cálculo curto. Ative o JavaScript e recarregue esta página.
js-pow-tries = obtendo seu lugar ({ $tries } tentativas)
js-pow-rate-limited = Solicitações demais vindas da sua rede. Nova tentativa em { $seconds } segundos…
js-pow-refused = Não foi possível pegar seu lugar ({ $reason }). Nova tentativa em { $seconds } segundos…
js-pow-failed = Não foi possível obter seu lugar. Nova tentativa em 5 segundos…

## Convites
invitation-title = só com convite
invitation-required-heading = Esta venda é só para convidados
invitation-required-body = Para entrar na fila, abra neste dispositivo o link de convite que você recebeu (por e-mail ou no app do organizador).
invitation-bad-heading = Este link de convite não funciona
invitation-bad-reason = Motivo: { $reason }.
invitation-bad-body = Verifique se você abriu o link completo que recebeu para esta venda. Se ele expirou, peça um novo ao organizador.
invitation-personal = Os convites são pessoais: cada membro tem um lugar na fila, em qualquer dispositivo.

## Venda não encontrada
not-found-title = Venda não encontrada
not-found-heading = Não encontramos essa venda
not-found-body = Confira o link que você seguiu. Os links de venda são assim: { $example_html }.

## Sua vez (formulário)
your-turn-title = sua vez
your-turn-heading = É a sua vez!
your-turn-deadline = Sua vez está reservada até { $time_html }. Continue antes disso; depois, você pode entrar na fila de novo.
your-turn-continue = Continuar para a página de compra
js-time-left = Tempo restante: { $minutes } min { $seconds } s.
js-time-warning = Falta menos de um minuto da sua vez: { $seconds } s.
js-time-over = Sua vez terminou. Recarregue esta página para ver sua situação.

## Solicitações demais, sobrecarga
rate-limited-title = Solicitações demais – aguarde
rate-limited-body = Chegaram da sua rede solicitações demais de lugar em pouco tempo, então seguramos esta. Se você já tinha um lugar na fila, continua com ele.
retry-in = Esta página tenta de novo sozinha em { $seconds } segundos. Não é preciso atualizar.
busy-title = Muito movimento – seu lugar está guardado
busy-body = Há tantos fãs aqui agora que não conseguimos responder a tempo. Se você já tinha um lugar na fila, continua com ele.
busy-retry-again = Esta página tenta de novo sozinha em { $seconds } segundos (tentativa { $tries }; ela espera um pouco mais a cada vez). Não é preciso atualizar.

## Turnstile
turnstile-title = entrar na fila
turnstile-heading = Entrar na fila
turnstile-body = Uma verificação rápida de que você é uma pessoa e então você pega seu lugar na fila.
turnstile-button = Entrar na fila
turnstile-noscript = Esta venda verifica que você é uma pessoa com o Cloudflare Turnstile, que precisa de JavaScript. Ative o JavaScript e recarregue esta página.
turnstile-failed = A verificação não passou ou expirou. Tente novamente.

## Na fila
waiting-title = você está na fila
waiting-heading = Você está na fila
turn-ended-title = sua vez terminou
turn-ended-heading = Sua vez terminou
waiting-closed-heading = Esta venda foi encerrada
waiting-keep-open = Mantenha esta página aberta. Quando for a sua vez, você vai para a página de compra automaticamente.
prequeue-draw = Você está na pré-fila. Às { $time_html } todos na pré-fila recebem um lugar na fila em ordem aleatória, sorteada de forma justa ({ $link_html }); quem chegar depois entra na fila depois de todos eles.
prequeue-draw-link = como conferir o sorteio
place-label = seu lugar na fila
progress-label = Progresso até o início da fila
ahead-label = à sua frente
eta-label = espera estimada
phase-label = status da venda
notify-button = Avise-me quando for a minha vez
push-offer = Pode fechar esta página: avisamos quando estiver perto da frente e quando for a sua vez.
push-off-button = Desativar notificações
push-noscript = Ser avisado depois de fechar esta página precisa de JavaScript: sem ele, mantenha esta página aberta.
rejoin-button = Entrar na fila de novo
waiting-noscript = Esta página se atualiza a cada { $seconds } segundos e leva você à página de compra quando for a sua vez.
waiting-footer = Seu lugar é mantido se você atualizar ou voltar mais tarde neste dispositivo, ou em outro dispositivo para o qual você o mover.
wait-under-minute = < 1 min
wait-minutes = { $minutes } min
wait-hours = { $hours } h { $minutes } min

## Lugar e vez
place-in-prequeue = Na pré-fila
place-your-turn = É a sua vez!
place-sale-closed = Venda encerrada
place-not-found = Lugar não encontrado
place-lost = Não encontramos o registro do seu lugar.
place-lost-invitation = Seu convite era para um lugar; fale com o organizador.
turn-expired-title = Passe expirado
turn-expired = Sua vez chegou e seu passe expirou antes de a compra terminar.
turn-released-title = Vez encerrada
turn-released = O site de ingressos encerrou sua vez sem compra.
turn-left-title = Lugar abandonado
turn-left = Seu lugar foi abandonado: esta página parou de se comunicar antes da sua vez.
turn-missed-title = Vez perdida
turn-missed = Sua vez chegou, mas não foi aproveitada a tempo.
turn-rejoin = Você pode entrar na fila de novo, no final.
invitation-once = Seu convite era para um lugar, então não pode ser usado de novo.
phase-scheduled = ainda não à venda
phase-prequeue = pré-fila
phase-open = aberta
phase-paused = pausada
phase-closed = encerrada
js-paused = A venda está pausada por um momento. Você mantém seu lugar.
js-taking-you = Levando você para a página de compra…
js-turn-alert = É a sua vez! Levando você para a página de compra.
js-closed = Esta venda foi encerrada. Obrigado por esperar.
js-connection-trouble = Problema de conexão; tentando de novo. Você mantém seu lugar.
js-place-announce = Seu lugar na fila: { $position }. Espera estimada: { $wait }.
js-prequeue-announce = Você está na pré-fila. Seu lugar é sorteado quando a venda abrir.
js-notify-title = É a sua vez
js-notify-body = Sua página de compra está abrindo.
js-push-on = As notificações estão ativadas: avisamos quando estiver perto da frente e quando for a sua vez. Pode fechar esta página.
js-push-off = As notificações estão desativadas: mantenha esta página aberta para acompanhar o seu lugar.
js-push-denied = As notificações estão bloqueadas para este site: permita-as nas definições do navegador, ou mantenha esta página aberta.
js-push-unsupported = Este navegador não o pode avisar com a página fechada: mantenha esta página aberta.
js-push-failed = Não foi possível ativar as notificações: mantenha esta página aberta, ou tente de novo.
js-push-near = { $ahead } à sua frente: volte à página para estar pronto.
js-push-turn = É a sua vez: volte até às { $time } para comprar os seus bilhetes.

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = seu lugar foi movido
place-moved-heading = Seu lugar foi movido para outro dispositivo
place-moved = Lugar movido
place-moved-body = Seu lugar foi movido para outro dispositivo, que o tem agora. Este dispositivo não tem mais lugar nesta fila.
move-link-button = Continuar em outro dispositivo

## Move my place: the page with the link, and the page that takes the place
move-link-title = continuar em outro dispositivo
move-link-body = Escaneie este código com o outro dispositivo ou abra o link nele. Seu lugar passa para aquele dispositivo, e este deixa de tê-lo.
move-link-qr = Código QR do link
move-link-type-code = Ou, no outro dispositivo, abra { $path_html } neste site e digite o código { $code_html }.
move-link-expires = O link funciona uma única vez, até { $time_html } ({ $minutes } minutos).
move-link-last-move = Esta é a última mudança do seu lugar.
move-link-moves-left = Mudanças de dispositivo que restam ao seu lugar depois desta: { $moves }.
move-link-share-nobody = Qualquer pessoa com o link pode pegar o lugar: não o compartilhe com ninguém.
move-link-back = Voltar ao meu lugar
move-title = pegue seu lugar aqui
move-heading = Pegue seu lugar neste dispositivo
move-code-label = O código que seu outro dispositivo mostra
move-button = Mover meu lugar para cá
move-body = Seu lugar na fila passa para este dispositivo, e o outro deixa de tê-lo. Se este dispositivo já tinha um lugar próprio nesta fila, ele o abandona.
js-moving = Movendo seu lugar para este dispositivo…
move-refused-invalid = Este não é um link para mover um lugar desta venda. Verifique se você tem o link ou o código completo.
move-refused-expired = Este link expirou. Peça um novo no dispositivo que tem o seu lugar.
move-refused-moved = Este link já foi usado: o lugar foi movido.
move-refused-moves-used-up = Este lugar já mudou de dispositivo todas as vezes possíveis.
move-refused-turn-taken = A vez deste lugar já foi usada, então ele não pode mais ser movido.
move-refused-closed = Esta venda foi encerrada.
move-refused-other = Não foi possível mover seu lugar para cá. Tente de novo ou peça um novo link.

## Come as a party
invite-friends-button = Convidar amigos
party-link-title = convidar amigos
party-link-body = Envie este link para até { $friends } amigos. Eles entram no seu lugar em vez de pegar um próprio, e vocês entram juntos.
party-link-type-code = Ou eles abrem { $path_html } neste site e digitam o código { $code_html }.
party-link-expires = O link funciona até { $time_html } ({ $minutes } minutos).
party-title = entrar em um grupo
party-heading = Entre no lugar do seu amigo
party-code-label = O código que seu amigo enviou
party-join-button = Entrar no grupo
party-gives-up = Se este dispositivo já tem um lugar próprio nesta fila, entrar no grupo abre mão dele: você entra junto com seu amigo.
in-a-party = Você está em um grupo: você entra junto com o amigo que convidou você.
party-size = Seu grupo: { $size } de no máximo { $max }.
see-my-party = Ver meu grupo
party-leave-button = Sair do grupo
party-left = Você saiu do grupo. Seu lugar anterior foi abandonado quando você entrou; você pode entrar na fila de novo no final.
party-refused-invalid = Este não é um link de grupo desta venda. Confira se você tem o link ou o código completo.
party-refused-expired = Este link de grupo expirou. Peça um novo ao seu amigo.
party-refused-full = Este grupo está cheio.
party-refused-in-a-party = Você já está em um grupo, ou seu lugar lidera um: você pode estar em um grupo só.
party-refused-moved = Este link não funciona mais: o lugar que ele indica foi movido, ou o lugar deste dispositivo já foi abandonado.
party-refused-turn-taken = A vez deste grupo já chegou.
party-refused-other = Não foi possível entrar neste grupo. Tente de novo ou peça um novo link ao seu amigo.
party-refused-needs-script = Esta venda reserva cada lugar ao dispositivo que o tem, então entrar num grupo precisa de JavaScript (ele cria a chave deste dispositivo). Ative o JavaScript e abra o link de novo.

## The assisted lane (more time for the turn), on the waiting page
assist-granted = Você tem a fila assistida: quando chegar a sua vez, você terá { $multiplier } vezes mais tempo para aproveitá-la e comprar.
assist-offer = Precisa de mais tempo para comprar, por exemplo com tecnologia assistiva ou com alguém ajudando você? A fila assistida dá { $multiplier } vezes mais tempo quando chegar a sua vez. Seu lugar na fila continua o mesmo.
assist-button = Preciso de mais tempo
assist-notice-granted = Você tem a fila assistida: quando chegar a sua vez, você terá { $multiplier } vezes mais tempo para aproveitá-la e comprar. Seu lugar na fila não muda.
assist-notice-full = Todos os lugares assistidos desta venda estão ocupados. Você mantém seu lugar na fila, com o tempo normal.
assist-notice-too-late = Sua vez já chegou: a fila assistida é pedida enquanto você espera.
assist-notice-unavailable = Não foi possível conceder a fila assistida. Você mantém seu lugar na fila.

## The sale's public report
report-title = relatório
report-heading = O que aconteceu nesta venda
report-final-at = A venda terminou às { $time_html }. Estes números são definitivos.
report-final = A venda terminou. Estes números são definitivos.
report-live = A venda ainda está em andamento ({ $phase }): estes números ainda mudam.
report-fans-in-line = Fãs na fila
report-admitted = Fãs que entraram
report-completed = Compras concluídas
report-left = Saíram antes da sua vez
report-median-wait = Espera mediana, da entrada até a vez
report-p90-wait = 90% dos fãs esperaram no máximo
report-wait-seconds = { $seconds } s
report-wait-minutes = { $minutes } min { $seconds } s
report-waits-hidden = As esperas aparecem quando pelo menos { $count } fãs tiverem entrado, para que a espera de nenhum fã seja mostrada.
report-refused-heading = Lugares recusados
report-refused-body = Pedidos de lugar que uma defesa recusou (um script recusado dez vezes conta dez).
report-refused-pow = Prova de trabalho sem solução válida
report-refused-rate = Pedidos demais de um mesmo endereço
report-refused-turnstile = Não passaram na verificação do Turnstile
report-refused-invitation = Sem convite válido
report-refused-socket = Conexões acima do limite por endereço
report-draw-heading = O sorteio
report-draw-body = Os fãs que chegaram antes da abertura da venda foram colocados em uma ordem aleatória, fixada antes de qualquer pessoa chegar.
report-commitment = Compromisso (SHA-256 da chave)
report-key = Chave
report-key-hidden = ainda não revelada
report-key-matches = A chave confere com o compromisso
report-yes = sim
report-no = não
report-not-drawn = ainda não sorteado
report-verify = Confira você mesmo:
report-json = Estes números em JSON

# Bound to this device (device_binding): the binding page, the waiting and move pages' notes, their scripts.
binding-body = Nesta venda, seu lugar vale só para este dispositivo: não pode ser copiado para outro navegador, compartilhado nem vendido. Mantenha esta página aberta: você entra na fila em um instante.
binding-noscript = É preciso JavaScript para entrar nesta venda: cada lugar fica com o dispositivo que o pega, com uma chave que seu navegador cria e nunca compartilha. Ative o JavaScript e recarregue esta página.
binding-confirming = Confirmando este dispositivo…
waiting-bound-noscript = Este lugar está ligado à chave deste dispositivo, então movê-lo para outro dispositivo precisa de JavaScript nos dois.
door-bound-noscript = É a sua vez, e este lugar é reservado ao dispositivo que o pegou: só o JavaScript pode usar a chave deste dispositivo para confirmá-lo. Ative o JavaScript e recarregue esta página.
move-bound-body = Nesta venda, cada lugar fica com o dispositivo que o tem: seu lugar ficará ligado à chave deste dispositivo, e só este dispositivo poderá usar sua vez.
move-bound-noscript = Mover um lugar nesta venda precisa de JavaScript (ele cria a chave deste dispositivo): ative-o e abra o link de novo. Até lá, seu lugar fica onde está.
move-refused-needs-script = Nesta venda, cada lugar fica com o dispositivo que o tem, então mover seu lugar para cá precisa de JavaScript (ele cria a chave deste dispositivo). Ative o JavaScript e abra o link de novo; até lá, seu lugar fica onde está.
js-bound-elsewhere-position = Reservado para outro dispositivo
js-bound-elsewhere-title = Não é o lugar deste dispositivo
js-bound-elsewhere = Este lugar foi pego em outro dispositivo, e só aquele dispositivo pode usá-lo.
js-bind-taken-elsewhere = O lugar que este navegador tem foi pego em outro dispositivo, e só aquele dispositivo pode usá-lo.
js-move-failed = Não foi possível mover seu lugar para cá.
js-move-retry = Não foi possível mover seu lugar para cá. Abra o link de novo para tentar outra vez.
