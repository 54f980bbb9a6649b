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

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = seu lugar foi movido
place-moved-heading = Seu lugar foi movido para outro dispositivo
place-moved = Lugar movido
place-moved-body = Seu lugar foi movido para outro dispositivo, que o tem agora. Este dispositivo não tem mais lugar nesta fila.
move-link-button = Continuar em outro dispositivo
