# ファン向けページの日本語の文言（基準: en.ftl）。

language-name = 日本語
lang-switcher = 言語
tickets = チケット
promoter-message = 主催者からのお知らせ

## 販売開始前のカウントダウン
not-on-sale-title = 販売開始前
not-on-sale-heading = まだ販売前です
not-on-sale-soon = まもなくチケットの販売が始まります。このページを開いたままにしてください。販売が始まると自動的に入場できます。
countdown-label = 販売開始までの時間
countdown-days = 日
countdown-hours = 時間
countdown-minutes = 分
countdown-seconds = 秒
not-on-sale-noscript = このページは { $seconds } 秒ごとに更新され、販売が始まると入場できます。
not-on-sale-footer = 更新する必要はありません。更新しても早く入場できるわけではありません。
js-sale-open = 販売が始まりました！列へご案内します…
js-sale-opens = チケットの販売開始は { $opens } です。このページを開いたままにしてください。自動的に入場できます。
js-prequeue-opens = 事前待機列は { $prequeue } に開きます。順番は販売開始時（{ $opens }）に抽選で決まります。このページを開いたままにしてください。自動的に入場できます。

## 販売終了後
closed-title = 販売終了
closed-heading = この販売は終了しました
closed-body = この販売のチケットはすべて売り切れたか、販売が終了しました。ご協力ありがとうございました。
closed-follow = 追加公演の情報は主催者をフォローしてご確認ください。

## 計算による確認
getting-place-title = 順番を取得中
getting-place-heading = 順番を取得しています…
getting-place-body = ボットによる順番の確保を防ぐため、ブラウザが短い計算をしています。このページを開いたままにしてください。計算が終わるとすぐに列に並びます。
getting-place-work = 順番を取得中
getting-place-noscript = この販売には JavaScript が必要です。ブラウザが短い計算でボットではないことを証明します。JavaScript を有効にして、このページを再読み込みしてください。
js-pow-tries = 順番を取得中（{ $tries } 回試行）
js-pow-rate-limited = お使いのネットワークからのリクエストが多すぎます。{ $seconds } 秒後に再試行します…
js-pow-refused = 順番を取得できませんでした（{ $reason }）。{ $seconds } 秒後に再試行します…
js-pow-failed = 順番を取得できませんでした。5 秒後に再試行します…

## 招待
invitation-title = 招待制
invitation-required-heading = この販売は招待制です
invitation-required-body = 列に並ぶには、届いた招待リンク（メールまたは主催者のアプリ）をこの端末で開いてください。
invitation-bad-heading = この招待リンクは使えません
invitation-bad-reason = 理由: { $reason }。
invitation-bad-body = この販売用に届いたリンクを最後まで開いたか確認してください。期限切れの場合は、主催者に新しいリンクを依頼してください。
invitation-personal = 招待は個人用です。会員 1 人につき列の順番は 1 つで、どの端末でも同じです。

## 販売が見つからない
not-found-title = 販売が見つかりません
not-found-heading = その販売が見つかりません
not-found-body = 開いたリンクを確認してください。販売のリンクは { $example_html } のような形式です。

## あなたの番（フォーム）
your-turn-title = あなたの番
your-turn-heading = あなたの番です！
your-turn-deadline = あなたの番は { $time_html } まで確保されています。それまでに進んでください。過ぎた場合は、もう一度列に並べます。
your-turn-continue = 購入ページへ進む
js-time-left = 残り時間: { $minutes } 分 { $seconds } 秒。
js-time-warning = あなたの番の残り時間は 1 分未満です: { $seconds } 秒。
js-time-over = あなたの番は終了しました。このページを再読み込みして状況を確認してください。

## リクエスト過多、混雑
rate-limited-title = リクエストが多すぎます – お待ちください
rate-limited-body = 短時間にお使いのネットワークから順番のリクエストが多すぎたため、このリクエストを保留しています。すでに列に並んでいた場合、その順番はそのままです。
retry-in = このページは { $seconds } 秒後に自動的に再試行します。更新する必要はありません。
busy-title = 混雑中 – 順番は保持されています
busy-body = 現在たいへん多くのファンが訪れているため、時間内に応答できませんでした。すでに列に並んでいた場合、その順番はそのままです。
busy-retry-again = このページは { $seconds } 秒後に自動的に再試行します（{ $tries } 回目。毎回少しずつ待ち時間が長くなります）。更新する必要はありません。

## Turnstile
turnstile-title = 列に並ぶ
turnstile-heading = 列に並ぶ
turnstile-body = 人間であることを簡単に確認した後、列に並びます。
turnstile-button = 列に並ぶ
turnstile-noscript = この販売では Cloudflare Turnstile で人間であることを確認しますが、それには JavaScript が必要です。JavaScript を有効にして、このページを再読み込みしてください。
turnstile-failed = 確認に失敗したか、期限が切れました。もう一度お試しください。

## 列で待機中
waiting-title = 列に並んでいます
waiting-heading = 列に並んでいます
turn-ended-title = あなたの番は終了しました
turn-ended-heading = あなたの番は終了しました
waiting-closed-heading = この販売は終了しました
waiting-keep-open = このページを開いたままにしてください。あなたの番になると、自動的に購入ページへ移動します。
prequeue-draw = あなたは事前待機列にいます。{ $time_html } に、事前待機列の全員に公正な抽選によるランダムな順番が割り当てられます（{ $link_html }）。後から来た人はその全員の後ろに並びます。
prequeue-draw-link = 抽選の確認方法
place-label = 列でのあなたの順番
progress-label = 列の先頭までの進み具合
ahead-label = 前にいる人数
eta-label = 予想待ち時間
phase-label = 販売状況
notify-button = 自分の番になったら通知する
push-offer = このページは閉じてもかまいません。先頭が近づいたときと自分の番になったときにお知らせします。
push-off-button = 通知をオフにする
push-noscript = このページを閉じた後の通知には JavaScript が必要です。JavaScript がない場合は、このページを開いたままにしてください。
rejoin-button = もう一度列に並ぶ
waiting-noscript = このページは { $seconds } 秒ごとに更新され、あなたの番になると購入ページへ移動します。
waiting-footer = 更新しても、後でこの端末で戻ってきても、順番を移した別の端末でも、順番は保持されます。
wait-under-minute = 1 分未満
wait-minutes = { $minutes } 分
wait-hours = { $hours } 時間 { $minutes } 分

## 順番と手番
place-in-prequeue = 事前待機列
place-your-turn = あなたの番です！
place-sale-closed = 販売終了
place-not-found = 順番が見つかりません
place-lost = あなたの順番の記録が見つかりませんでした。
place-lost-invitation = 招待は 1 つの順番のためのものです。主催者にお問い合わせください。
turn-expired-title = パスの期限切れ
turn-expired = あなたの番が来ましたが、購入が完了する前にパスの期限が切れました。
turn-released-title = 手番終了
turn-released = チケットサイトが購入なしであなたの番を終了しました。
turn-left-title = 順番の放棄
turn-left = あなたの順番は放棄されました。あなたの番が来る前に、このページからの接続が途絶えました。
turn-missed-title = 手番を逃しました
turn-missed = あなたの番が来ましたが、時間内に受け取られませんでした。
turn-rejoin = 最後尾からもう一度列に並べます。
invitation-once = 招待は 1 つの順番のためのもので、再利用できません。
phase-scheduled = 販売開始前
phase-prequeue = 事前待機列
phase-open = 販売中
phase-paused = 一時停止中
phase-closed = 終了
js-paused = 販売は一時的に停止しています。順番は保持されます。
js-taking-you = 購入ページへ移動しています…
js-turn-alert = あなたの番です！購入ページへ移動します。
js-closed = この販売は終了しました。お待ちいただきありがとうございました。
js-connection-trouble = 接続に問題があります。再試行中です。順番は保持されます。
js-place-announce = 列でのあなたの順番: { $position }。予想待ち時間: { $wait }。
js-prequeue-announce = あなたは事前待機列にいます。順番は販売開始時に抽選で決まります。
js-notify-title = あなたの番です
js-notify-body = 購入ページを開いています。
js-push-on = 通知はオンです。先頭が近づいたときと自分の番になったときにお知らせします。このページは閉じてもかまいません。
js-push-off = 通知はオフです。順番を確認するには、このページを開いたままにしてください。
js-push-denied = このサイトの通知はブロックされています。ブラウザの設定で許可するか、このページを開いたままにしてください。
js-push-unsupported = このブラウザはページを閉じた後に通知できません。このページを開いたままにしてください。
js-push-failed = 通知をオンにできませんでした。このページを開いたままにするか、もう一度お試しください。
js-push-near = あなたの前に { $ahead } 人います。準備のためにページに戻ってください。
js-push-turn = あなたの番です。{ $time } までに戻ってチケットを購入してください。

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = 順番は別の端末に移りました
place-moved-heading = 順番は別の端末に移りました
place-moved = 移動済み
place-moved-body = 順番は別の端末に移り、今はその端末が持っています。この端末はこの列の順番をもう持っていません。
move-link-button = 別の端末で続ける

## Move my place: the page with the link, and the page that takes the place
move-link-title = 別の端末で続ける
move-link-body = もう一方の端末でこのコードを読み取るか、そちらでリンクを開いてください。順番はその端末に移り、この端末からはなくなります。
move-link-qr = リンクの QR コード
move-link-type-code = または、もう一方の端末でこのサイトの { $path_html } を開き、コード { $code_html } を入力してください。
move-link-expires = このリンクは { $time_html } まで（{ $minutes } 分間）、1 回だけ使えます。
move-link-last-move = 順番を移せるのはこれが最後です。
move-link-moves-left = この後も、順番はあと { $moves } 回移せます。
move-link-share-nobody = リンクを持っている人は誰でも順番を取れます。誰とも共有しないでください。
move-link-back = 自分の順番に戻る
move-title = この端末で順番を引き継ぐ
move-heading = この端末で順番を引き継ぐ
move-code-label = もう一方の端末に表示されているコード
move-button = 順番をこの端末に移す
move-body = 列での順番はこの端末に移り、もう一方の端末からはなくなります。この端末がこの列で自分の順番をすでに持っていた場合、その順番は手放されます。
js-moving = 順番をこの端末に移しています…
move-refused-invalid = これはこの販売の順番を移すリンクではありません。リンクまたはコードが全部そろっているか確認してください。
move-refused-expired = このリンクは期限切れです。順番を持っている端末で新しいリンクを作ってください。
move-refused-moved = このリンクはすでに使われました。順番は移動済みです。
move-refused-moves-used-up = この順番は移せる回数の上限まで移されています。
move-refused-turn-taken = この順番はすでに使われたため、もう移せません。
move-refused-closed = この販売は終了しました。
move-refused-other = 順番をこの端末に移せませんでした。もう一度試すか、新しいリンクを作ってください。

## Come as a party
invite-friends-button = 友だちを招待
party-link-title = 友だちを招待
party-link-body = このリンクを最大 { $friends } 人の友だちに送ってください。友だちは自分の順番を取らずにあなたの順番に加わり、みんな一緒に入場できます。
party-link-type-code = または、このサイトで { $path_html } を開き、コード { $code_html } を入力してもらいます。
party-link-expires = リンクは { $time_html } まで（{ $minutes } 分間）使えます。
party-title = グループに参加
party-heading = 友だちの順番に加わる
party-code-label = 友だちから届いたコード
party-join-button = グループに参加する
party-gives-up = この端末がこの列ですでに自分の順番を持っている場合、参加するとその順番は手放すことになります。代わりに友だちと一緒に入場します。
in-a-party = グループに参加しています。招待してくれた友だちと一緒に入場します。
party-size = あなたのグループ：{ $size } 人（最大 { $max } 人）
see-my-party = グループを見る
party-leave-button = グループを抜ける
party-left = グループを抜けました。以前の順番は参加したときに手放しています。列の最後尾に並び直せます。
party-refused-invalid = このセールのグループリンクではありません。リンクやコードがすべてそろっているか確かめてください。
party-refused-expired = このグループリンクは期限切れです。友だちに新しいリンクを頼んでください。
party-refused-full = このグループは満員です。
party-refused-in-a-party = すでにグループに参加しているか、あなたの順番がグループを率いています。参加できるグループは一つだけです。
party-refused-moved = このリンクはもう使えません。リンク先の順番が移されたか、この端末の順番はすでに手放されています。
party-refused-turn-taken = このグループの順番はもう来ています。
party-refused-other = このグループに参加できませんでした。もう一度試すか、友だちに新しいリンクを頼んでください。
party-refused-needs-script = この販売では各順番がそれを持つ端末専用のため、グループに参加するには JavaScript が必要です（この端末の鍵を作ります）。JavaScript を有効にして、もう一度リンクを開いてください。

## The assisted lane (more time for the turn), on the waiting page
assist-granted = アシストレーンが有効です。あなたの番が来たら、受け取りと購入に通常の { $multiplier } 倍の時間があります。
assist-offer = 支援技術を使う、誰かに手伝ってもらうなど、購入にもっと時間が必要ですか？アシストレーンなら、あなたの番が来たときに通常の { $multiplier } 倍の時間があります。列での順番は変わりません。
assist-button = もっと時間が必要です
assist-notice-granted = アシストレーンが有効になりました。あなたの番が来たら、受け取りと購入に通常の { $multiplier } 倍の時間があります。列での順番は変わりません。
assist-notice-full = この販売のアシスト枠はすべて埋まっています。列での順番はそのまま、通常の時間で保たれます。
assist-notice-too-late = すでにあなたの番が来ています。アシストレーンは待っている間に申し込むものです。
assist-notice-unavailable = アシストレーンを付与できませんでした。列での順番はそのまま保たれます。

## The sale's public report
report-title = レポート
report-heading = この販売で起きたこと
report-final-at = 販売は { $time_html } に終了しました。これらの数値は確定です。
report-final = 販売は終了しました。これらの数値は確定です。
report-live = 販売はまだ続いています（{ $phase }）。これらの数値はまだ変わります。
report-fans-in-line = 列に並んだファン
report-admitted = 入場したファン
report-completed = 完了した購入
report-left = 番が来る前に離れた人
report-median-wait = 待ち時間の中央値（参加から番まで）
report-p90-wait = 90% のファンの最長待ち時間
report-wait-seconds = { $seconds } 秒
report-wait-minutes = { $minutes } 分 { $seconds } 秒
report-waits-hidden = 個人の待ち時間がわからないよう、待ち時間は { $count } 人以上が入場してから表示されます。
report-refused-heading = 拒否された参加
report-refused-body = 防御機能が断った順番の要求（10 回拒否されたスクリプトは 10 件と数えます）。
report-refused-pow = 有効な解のないプルーフ・オブ・ワーク
report-refused-rate = 1 つのアドレスからの要求が多すぎる
report-refused-turnstile = Turnstile の確認に失敗
report-refused-invitation = 有効な招待なし
report-refused-socket = アドレスごとの上限を超えた接続
report-draw-heading = 抽選
report-draw-body = 販売開始前に来たファンは、誰かが来る前に確定したランダムな順番に並べられました。
report-commitment = コミットメント（鍵の SHA-256）
report-key = 鍵
report-key-hidden = まだ公開されていません
report-key-matches = 鍵とコミットメントの一致
report-yes = はい
report-no = いいえ
report-not-drawn = まだ抽選されていません
report-verify = ご自身で確認できます：
report-json = これらの数値を JSON で

# Bound to this device (device_binding): the binding page, the waiting and move pages' notes, their scripts.
binding-body = この販売では、順番はこの端末だけのものです。別のブラウザーへのコピー、共有、転売はできません。このページを開いたままにしてください。まもなく列に並びます。
binding-noscript = この販売に参加するには JavaScript が必要です。順番はそれを取った端末のもので、ブラウザーが作り外に出さない鍵で守られます。JavaScript を有効にして、このページを再読み込みしてください。
binding-confirming = この端末を確認しています…
waiting-bound-noscript = この順番はこの端末の鍵に結びついているため、別の端末に移すには両方の端末で JavaScript が必要です。
door-bound-noscript = あなたの番です。この順番は取得した端末専用で、この端末の鍵で確認するには JavaScript が必要です。JavaScript を有効にして、このページを再読み込みしてください。
move-bound-body = この販売では、順番はそれを持つ端末のものです。順番はこの端末の鍵に結びつけられ、あなたの番を使えるのはこの端末だけになります。
move-bound-noscript = この販売で順番を移すには JavaScript が必要です（この端末の鍵を作ります）。有効にしてリンクをもう一度開いてください。それまで順番は今の場所のままです。
move-refused-needs-script = この販売では順番はそれを持つ端末のものなので、順番をここに移すには JavaScript が必要です（この端末の鍵を作ります）。JavaScript を有効にしてリンクをもう一度開いてください。それまで順番は今の場所のままです。
js-bound-elsewhere-position = 別の端末のための順番です
js-bound-elsewhere-title = この端末の順番ではありません
js-bound-elsewhere = この順番は別の端末で取られたもので、使えるのはその端末だけです。
js-bind-taken-elsewhere = このブラウザーが持つ順番は別の端末で取られたもので、使えるのはその端末だけです。
js-move-failed = 順番をこの端末に移せませんでした。
js-move-retry = 順番をこの端末に移せませんでした。リンクをもう一度開いてやり直してください。
