# نصوص صفحات المعجبين بالعربية (المرجع: en.ftl).

language-name = العربية
lang-switcher = اللغة
tickets = التذاكر
promoter-message = رسالة من المنظّم

## العدّ التنازلي قبل البيع
not-on-sale-title = لم يبدأ البيع بعد
not-on-sale-heading = لم يبدأ البيع بعد
not-on-sale-soon = يبدأ بيع التذاكر قريبًا. أبقِ هذه الصفحة مفتوحة: ستُدخلك تلقائيًا لحظة بدء البيع.
countdown-label = الوقت المتبقي حتى بدء البيع
countdown-days = أيام
countdown-hours = ساعات
countdown-minutes = دقائق
countdown-seconds = ثوانٍ
not-on-sale-noscript = تتحدّث هذه الصفحة كل { $seconds } ثانية وتُدخلك عند بدء البيع.
not-on-sale-footer = لا داعي للتحديث. التحديث لا يُدخلك أسرع.
js-sale-open = بدأ البيع! ننقلك إلى الطابور…
js-sale-opens = يبدأ بيع التذاكر في { $opens }. أبقِ هذه الصفحة مفتوحة: ستُدخلك تلقائيًا.
js-prequeue-opens = يُفتح الطابور المسبق في { $prequeue }، ويُحدَّد ترتيبه بالقرعة عند بدء البيع في { $opens }. أبقِ هذه الصفحة مفتوحة: ستُدخلك تلقائيًا.

## بعد البيع
closed-title = انتهى البيع
closed-heading = انتهى هذا البيع
closed-body = بيعت كل تذاكر هذا البيع أو انتهى البيع. شكرًا على صبرك.
closed-follow = تابع المنظّم لمعرفة المواعيد الإضافية.

## إثبات العمل
getting-place-title = جارٍ حجز مكانك
getting-place-heading = جارٍ حجز مكانك…
getting-place-body = يُجري متصفحك عملية حسابية قصيرة تمنع البرامج الآلية من حجز الأماكن. أبقِ هذه الصفحة مفتوحة: ستنضم إلى الطابور فور انتهائها.
getting-place-work = جارٍ حجز مكانك
getting-place-noscript = يلزم JavaScript لهذا البيع: يُثبت متصفحك أنه ليس برنامجًا آليًا بعملية حسابية قصيرة. فعّل JavaScript وأعد تحميل هذه الصفحة.
js-pow-tries = جارٍ حجز مكانك ({ $tries } محاولة)
js-pow-rate-limited = طلبات كثيرة جدًا من شبكتك. محاولة جديدة بعد { $seconds } ثانية…
js-pow-refused = تعذّر حجز مكانك ({ $reason }). محاولة جديدة بعد { $seconds } ثانية…
js-pow-failed = تعذّر الحصول على مكانك. محاولة جديدة بعد 5 ثوانٍ…

## الدعوات
invitation-title = بالدعوة فقط
invitation-required-heading = هذا البيع بالدعوة فقط
invitation-required-body = للانضمام إلى الطابور، افتح على هذا الجهاز رابط الدعوة الذي وصلك (بالبريد الإلكتروني أو في تطبيق المنظّم).
invitation-bad-heading = رابط الدعوة هذا لا يعمل
invitation-bad-reason = السبب: { $reason }.
invitation-bad-body = تأكد من أنك فتحت الرابط كاملًا كما وصلك لهذا البيع. إذا انتهت صلاحيته، فاطلب رابطًا جديدًا من المنظّم.
invitation-personal = الدعوات شخصية: لكل عضو مكان واحد في الطابور، على أي جهاز.

## البيع غير موجود
not-found-title = البيع غير موجود
not-found-heading = لا نجد هذا البيع
not-found-body = تحقّق من الرابط الذي اتبعته. تبدو روابط البيع هكذا: { $example_html }.

## دورك (نموذج)
your-turn-title = دورك
your-turn-heading = حان دورك!
your-turn-deadline = دورك محجوز لك حتى { $time_html }. تابِع قبل ذلك؛ وبعده يمكنك الانضمام إلى الطابور من جديد.
your-turn-continue = المتابعة إلى صفحة الشراء
js-time-left = الوقت المتبقي: { $minutes } دقيقة و{ $seconds } ثانية.
js-time-warning = بقي أقل من دقيقة من دورك: { $seconds } ثانية.
js-time-over = انتهى دورك. أعد تحميل هذه الصفحة لترى وضعك.

## طلبات كثيرة، ازدحام
rate-limited-title = طلبات كثيرة جدًا – يُرجى الانتظار
rate-limited-body = وصلت من شبكتك طلبات كثيرة جدًا لحجز مكان في وقت قصير، لذا نؤجّل هذا الطلب. إن كان لديك مكان في الطابور فما زال لك.
retry-in = تعيد هذه الصفحة المحاولة تلقائيًا بعد { $seconds } ثانية. لا داعي للتحديث.
busy-title = ازدحام – مكانك محفوظ
busy-body = يوجد الآن عدد كبير جدًا من المعجبين فلم نتمكن من الرد في الوقت المناسب. إن كان لديك مكان في الطابور فما زال لك.
busy-retry-again = تعيد هذه الصفحة المحاولة تلقائيًا بعد { $seconds } ثانية (المحاولة { $tries }؛ وتنتظر أطول قليلًا في كل مرة). لا داعي للتحديث.

## Turnstile
turnstile-title = الانضمام إلى الطابور
turnstile-heading = الانضمام إلى الطابور
turnstile-body = تحقّق سريع من أنك إنسان، ثم تأخذ مكانك في الطابور.
turnstile-button = انضم إلى الطابور
turnstile-noscript = يتحقّق هذا البيع من أنك إنسان عبر Cloudflare Turnstile، الذي يحتاج إلى JavaScript. فعّل JavaScript وأعد تحميل هذه الصفحة.
turnstile-failed = لم ينجح التحقّق أو انتهت صلاحيته. يُرجى المحاولة مرة أخرى.

## في الطابور
waiting-title = أنت في الطابور
waiting-heading = أنت في الطابور
turn-ended-title = انتهى دورك
turn-ended-heading = انتهى دورك
waiting-closed-heading = انتهى هذا البيع
waiting-keep-open = أبقِ هذه الصفحة مفتوحة. عندما يحين دورك، تنتقل إلى صفحة الشراء تلقائيًا.
prequeue-draw = أنت في الطابور المسبق. في { $time_html } يحصل كل من في الطابور المسبق على مكان في الطابور بترتيب عشوائي يُسحب بعدل ({ $link_html })؛ ومن يصل لاحقًا يقف خلفهم جميعًا.
prequeue-draw-link = كيف تتحقّق من القرعة
place-label = مكانك في الطابور
progress-label = التقدّم نحو مقدّمة الطابور
ahead-label = أمامك
eta-label = الانتظار المتوقّع
phase-label = حالة البيع
notify-button = أعلمني عندما يحين دوري
push-offer = يمكنك إغلاق هذه الصفحة: سنُعلمك عندما تقترب من المقدمة وعندما يحين دورك.
push-off-button = إيقاف الإشعارات
push-noscript = تتطلب الإشعارات بعد إغلاق هذه الصفحة JavaScript: من دونها، أبقِ هذه الصفحة مفتوحة.
rejoin-button = الانضمام إلى الطابور من جديد
waiting-noscript = تتحدّث هذه الصفحة كل { $seconds } ثانية وتنقلك إلى صفحة الشراء عندما يحين دورك.
waiting-footer = يبقى مكانك محفوظًا إذا حدّثت الصفحة أو عدت لاحقًا على هذا الجهاز، أو على جهاز آخر تنقله إليه.
wait-under-minute = أقل من دقيقة
wait-minutes = { $minutes } دقيقة
wait-hours = { $hours } ساعة و{ $minutes } دقيقة

## المكان والدور
place-in-prequeue = في الطابور المسبق
place-your-turn = حان دورك!
place-sale-closed = انتهى البيع
place-not-found = المكان غير موجود
place-lost = لم نجد سجلّ مكانك.
place-lost-invitation = كانت دعوتك لمكان واحد؛ يُرجى التواصل مع المنظّم.
turn-expired-title = انتهت صلاحية التصريح
turn-expired = حان دورك، وانتهت صلاحية تصريحك قبل إتمام الشراء.
turn-released-title = انتهى الدور
turn-released = أنهى موقع التذاكر دورك دون شراء.
turn-left-title = تُرك المكان
turn-left = تُرك مكانك: توقّفت هذه الصفحة عن الاتصال قبل أن يحين دورك.
turn-missed-title = فاتك الدور
turn-missed = حان دورك، لكنه لم يُستلم في الوقت المحدّد.
turn-rejoin = يمكنك الانضمام إلى الطابور من جديد في آخره.
invitation-once = كانت دعوتك لمكان واحد، فلا يمكن استخدامها مرة أخرى.
phase-scheduled = لم يبدأ بعد
phase-prequeue = الطابور المسبق
phase-open = مفتوح
phase-paused = متوقّف مؤقتًا
phase-closed = منتهٍ
js-paused = البيع متوقّف للحظة. مكانك محفوظ.
js-taking-you = ننقلك إلى صفحة الشراء…
js-turn-alert = حان دورك! ننقلك إلى صفحة الشراء.
js-closed = انتهى هذا البيع. شكرًا على انتظارك.
js-connection-trouble = مشكلة في الاتصال؛ نعيد المحاولة. مكانك محفوظ.
js-place-announce = مكانك في الطابور: { $position }. الانتظار المتوقّع: { $wait }.
js-prequeue-announce = أنت في الطابور المسبق. يُسحب مكانك بالقرعة عند بدء البيع.
js-notify-title = حان دورك
js-notify-body = تُفتح صفحة الشراء الآن.
js-push-on = الإشعارات مفعّلة: سنُعلمك عندما تقترب من المقدمة وعندما يحين دورك. يمكنك إغلاق هذه الصفحة.
js-push-off = الإشعارات متوقفة: أبقِ هذه الصفحة مفتوحة لمتابعة مكانك.
js-push-denied = الإشعارات محظورة لهذا الموقع: اسمح بها في إعدادات المتصفح، أو أبقِ هذه الصفحة مفتوحة.
js-push-unsupported = لا يستطيع هذا المتصفح إعلامك بعد إغلاق الصفحة: أبقِ هذه الصفحة مفتوحة.
js-push-failed = تعذّر تفعيل الإشعارات: أبقِ هذه الصفحة مفتوحة، أو حاول مرة أخرى.
js-push-near = أمامك { $ahead }: عُد إلى الصفحة لتكون مستعدًا.
js-push-turn = حان دورك: عُد قبل { $time } لشراء تذاكرك.

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = نُقل مكانك
place-moved-heading = نُقل مكانك إلى جهاز آخر
place-moved = نُقل المكان
place-moved-body = نُقل مكانك إلى جهاز آخر يحتفظ به الآن. لم يعد لهذا الجهاز مكان في هذا الطابور.
move-link-button = المتابعة على جهاز آخر

## Move my place: the page with the link, and the page that takes the place
move-link-title = المتابعة على جهاز آخر
move-link-body = امسح هذا الرمز بالجهاز الآخر، أو افتح الرابط عليه. ينتقل مكانك إلى ذلك الجهاز، ولا يعود لهذا الجهاز.
move-link-qr = رمز QR للرابط
move-link-type-code = أو افتح على الجهاز الآخر { $path_html } في هذا الموقع واكتب الرمز { $code_html }.
move-link-expires = يعمل الرابط مرة واحدة، حتى { $time_html } ({ $minutes } دقيقة).
move-link-last-move = هذه آخر مرة يمكن فيها نقل مكانك.
move-link-moves-left = بعدها يمكن نقل مكانك مرات أخرى عددها: { $moves }.
move-link-share-nobody = يستطيع أي شخص لديه الرابط أخذ المكان: لا تشاركه مع أحد.
move-link-back = العودة إلى مكاني
move-title = خذ مكانك هنا
move-heading = خذ مكانك على هذا الجهاز
move-code-label = الرمز الذي يعرضه جهازك الآخر
move-button = انقل مكاني إلى هنا
move-body = ينتقل مكانك في الطابور إلى هذا الجهاز، ولا يعود للجهاز الآخر. إذا كان لهذا الجهاز مكان خاص به في هذا الطابور، فإنه يتخلى عنه.
js-moving = جارٍ نقل مكانك إلى هذا الجهاز…
move-refused-invalid = هذا ليس رابطًا لنقل مكان في هذا البيع. تأكد من أن لديك الرابط أو الرمز كاملًا.
move-refused-expired = انتهت صلاحية هذا الرابط. اطلب رابطًا جديدًا من الجهاز الذي يحمل مكانك.
move-refused-moved = استُخدم هذا الرابط من قبل: لقد نُقل المكان.
move-refused-moves-used-up = نُقل هذا المكان أقصى عدد ممكن من المرات.
move-refused-turn-taken = استُخدم دور هذا المكان، فلم يعد نقله ممكنًا.
move-refused-closed = انتهى هذا البيع.
move-refused-other = تعذّر نقل مكانك إلى هنا. حاول مرة أخرى، أو اطلب رابطًا جديدًا.

## Come as a party
invite-friends-button = ادعُ أصدقاءك
party-link-title = دعوة الأصدقاء
party-link-body = أرسل هذا الرابط إلى { $friends } أصدقاء على الأكثر. ينضمون إلى مكانك بدلًا من أخذ أماكن لهم، وتدخلون معًا.
party-link-type-code = أو يفتحون { $path_html } على هذا الموقع ويكتبون الرمز { $code_html }.
party-link-expires = يعمل الرابط حتى { $time_html } ({ $minutes } دقيقة).
party-title = الانضمام إلى مجموعة
party-heading = انضم إلى مكان صديقك
party-code-label = الرمز الذي أرسله صديقك
party-join-button = انضم إلى المجموعة
party-gives-up = إذا كان لهذا الجهاز مكان خاص به في هذا الطابور، فالانضمام يعني التخلي عنه: ستدخل مع صديقك بدلًا منه.
in-a-party = أنت في مجموعة: ستدخل مع الصديق الذي دعاك.
party-size = مجموعتك: { $size } من { $max } على الأكثر.
see-my-party = عرض مجموعتي
party-leave-button = مغادرة المجموعة
party-left = غادرت المجموعة. تخليت عن مكانك السابق عند انضمامك؛ يمكنك الوقوف في الطابور من جديد في آخره.
party-refused-invalid = هذا ليس رابط مجموعة لهذا البيع. تأكد من أن لديك الرابط أو الرمز كاملًا.
party-refused-expired = انتهت صلاحية رابط المجموعة هذا. اطلب رابطًا جديدًا من صديقك.
party-refused-full = هذه المجموعة ممتلئة.
party-refused-in-a-party = أنت في مجموعة بالفعل، أو أن مكانك يقود مجموعة: لا يمكنك أن تكون إلا في مجموعة واحدة.
party-refused-moved = لم يعد هذا الرابط يعمل: المكان الذي يشير إليه نُقل، أو تم التخلي عن مكان هذا الجهاز بالفعل.
party-refused-turn-taken = جاء دور هذه المجموعة بالفعل.
party-refused-other = تعذّر انضمامك إلى هذه المجموعة. حاول مرة أخرى، أو اطلب رابطًا جديدًا من صديقك.
party-refused-needs-script = يحفظ هذا البيع كل مكان للجهاز الذي يحمله، لذا يلزم JavaScript للانضمام إلى مجموعة (فهو ينشئ مفتاح هذا الجهاز). فعّل JavaScript وافتح الرابط مرة أخرى.

## The assisted lane (more time for the turn), on the waiting page
assist-granted = لديك المسار المساعَد: عندما يحين دورك يكون لديك { $multiplier } أضعاف الوقت لاستلامه والشراء.
assist-offer = هل تحتاج إلى وقت أطول للشراء، مثلًا لأنك تستخدم تقنية مساعدة أو يساعدك شخص ما؟ يمنحك المسار المساعَد { $multiplier } أضعاف الوقت عندما يحين دورك. يبقى مكانك في الطابور كما هو.
assist-button = أحتاج إلى وقت أطول
assist-notice-granted = لديك المسار المساعَد: عندما يحين دورك يكون لديك { $multiplier } أضعاف الوقت لاستلامه والشراء. لم يتغير مكانك في الطابور.
assist-notice-full = كل أماكن المسار المساعَد في هذا البيع مأخوذة. تحتفظ بمكانك في الطابور، بالوقت المعتاد.
assist-notice-too-late = لقد حان دورك بالفعل: يُطلب المسار المساعَد أثناء الانتظار.
assist-notice-unavailable = تعذّر منح المسار المساعَد. تحتفظ بمكانك في الطابور.

## The sale's public report
report-title = التقرير
report-heading = ما حدث في هذا البيع
report-final-at = انتهى البيع في { $time_html }. هذه الأرقام نهائية.
report-final = انتهى البيع. هذه الأرقام نهائية.
report-live = البيع لا يزال جاريًا ({ $phase }): هذه الأرقام قد تتغير.
report-fans-in-line = المعجبون في الطابور
report-admitted = المعجبون الذين دخلوا
report-completed = عمليات الشراء المكتملة
report-left = غادروا قبل دورهم
report-median-wait = وسيط الانتظار، من الانضمام حتى الدور
report-p90-wait = انتظر 90٪ من المعجبين على الأكثر
report-wait-seconds = { $seconds } ثانية
report-wait-minutes = { $minutes } دقيقة و{ $seconds } ثانية
report-waits-hidden = تُعرض أوقات الانتظار بعد دخول { $count } معجبين على الأقل، حتى لا يظهر انتظار أي معجب بعينه.
report-refused-heading = الأماكن المرفوضة
report-refused-body = طلبات مكان ردّتها وسيلة حماية (النص البرمجي المرفوض عشر مرات يُحسب عشر مرات).
report-refused-pow = إثبات عمل بلا حل صالح
report-refused-rate = طلبات كثيرة جدًا من عنوان واحد
report-refused-turnstile = لم يجتز فحص Turnstile
report-refused-invitation = بلا دعوة صالحة
report-refused-socket = اتصالات تجاوزت الحد لكل عنوان
report-draw-heading = القرعة
report-draw-body = وُضع المعجبون الذين وصلوا قبل بدء البيع في ترتيب عشوائي، التُزم به قبل وصول أي أحد.
report-commitment = الالتزام (SHA-256 للمفتاح)
report-key = المفتاح
report-key-hidden = لم يُكشف بعد
report-key-matches = المفتاح يطابق الالتزام
report-yes = نعم
report-no = لا
report-not-drawn = لم تُسحب بعد
report-verify = تحقّق بنفسك:
report-json = هذه الأرقام بصيغة JSON

# Bound to this device (device_binding): the binding page, the waiting and move pages' notes, their scripts.
binding-body = مكانك في هذا البيع مخصص لهذا الجهاز فقط: لا يمكن نسخه إلى متصفح آخر أو مشاركته أو بيعه. أبقِ هذه الصفحة مفتوحة: ستنضم إلى الطابور بعد لحظة.
binding-noscript = يلزم JavaScript للانضمام إلى هذا البيع: كل مكان مخصص للجهاز الذي يأخذه، بمفتاح ينشئه متصفحك ولا يشاركه أبدًا. فعّل JavaScript وأعد تحميل هذه الصفحة.
binding-confirming = جارٍ التحقق من هذا الجهاز…
waiting-bound-noscript = هذا المكان مرتبط بمفتاح هذا الجهاز، لذا يلزم JavaScript على الجهازين لنقله إلى جهاز آخر.
door-bound-noscript = حان دورك، وهذا المكان محفوظ للجهاز الذي أخذه: لا يمكن استخدام مفتاح هذا الجهاز لتأكيده إلا عبر JavaScript. فعّل JavaScript وأعد تحميل هذه الصفحة.
move-bound-body = في هذا البيع، كل مكان مخصص للجهاز الذي يحمله: سيرتبط مكانك بمفتاح هذا الجهاز، ولن يستطيع استخدام دورك إلا هذا الجهاز.
move-bound-noscript = نقل مكان في هذا البيع يتطلب JavaScript (فهو ينشئ مفتاح هذا الجهاز): فعّله وافتح الرابط مرة أخرى. يبقى مكانك حيث هو حتى ذلك الحين.
move-refused-needs-script = في هذا البيع، كل مكان مخصص للجهاز الذي يحمله، لذا يتطلب نقل مكانك إلى هنا JavaScript (فهو ينشئ مفتاح هذا الجهاز). فعّل JavaScript وافتح الرابط مرة أخرى؛ يبقى مكانك حيث هو حتى ذلك الحين.
js-bound-elsewhere-position = محجوز لجهاز آخر
js-bound-elsewhere-title = ليس مكان هذا الجهاز
js-bound-elsewhere = أُخذ هذا المكان على جهاز آخر، ولا يستطيع استخدامه إلا ذلك الجهاز.
js-bind-taken-elsewhere = المكان الذي يحمله هذا المتصفح أُخذ على جهاز آخر، ولا يستطيع استخدامه إلا ذلك الجهاز.
js-move-failed = تعذّر نقل مكانك إلى هنا.
js-move-retry = تعذّر نقل مكانك إلى هنا. افتح الرابط مرة أخرى لإعادة المحاولة.
