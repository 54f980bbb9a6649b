# Teksty stron dla fanów po polsku (wzorzec: en.ftl).

language-name = Polski
lang-switcher = Język
tickets = Bilety
promoter-message = Wiadomość od organizatora

## Odliczanie przed sprzedażą
not-on-sale-title = jeszcze nie w sprzedaży
not-on-sale-heading = Jeszcze nie w sprzedaży
not-on-sale-soon = Sprzedaż biletów wkrótce się rozpocznie. Nie zamykaj tej strony: sama wpuści cię, gdy tylko ruszy sprzedaż.
countdown-label = Czas do rozpoczęcia sprzedaży
countdown-days = dni
countdown-hours = godz.
countdown-minutes = min
countdown-seconds = s
not-on-sale-noscript = Ta strona odświeża się co { $seconds } s i wpuści cię, gdy ruszy sprzedaż.
not-on-sale-footer = Nie musisz odświeżać. Odświeżanie nie wpuści cię szybciej.
js-sale-open = Sprzedaż ruszyła! Przenosimy cię do kolejki…
js-sale-opens = Sprzedaż biletów rusza: { $opens }. Nie zamykaj tej strony: sama cię wpuści.
js-prequeue-opens = Kolejka wstępna otwiera się: { $prequeue }; jej kolejność zostanie wylosowana na starcie sprzedaży: { $opens }. Nie zamykaj tej strony: sama cię wpuści.

## Po sprzedaży
closed-title = sprzedaż zakończona
closed-heading = Ta sprzedaż została zakończona
closed-body = Wszystkie bilety z tej sprzedaży zostały sprzedane albo sprzedaż się skończyła. Dziękujemy za cierpliwość.
closed-follow = Obserwuj organizatora, aby dowiedzieć się o dodatkowych terminach.

## Dowód pracy
getting-place-title = pobieranie twojego miejsca
getting-place-heading = Pobieramy twoje miejsce…
getting-place-body = Twoja przeglądarka wykonuje krótkie obliczenie, które nie pozwala botom zajmować miejsc. Nie zamykaj tej strony: dołączysz do kolejki, gdy tylko się skończy.
getting-place-work = pobieranie twojego miejsca
getting-place-noscript = Ta sprzedaż wymaga JavaScriptu: przeglądarka krótkim obliczeniem dowodzi, że nie jest botem. Włącz JavaScript i odśwież tę stronę.
js-pow-tries = pobieranie twojego miejsca (prób: { $tries })
js-pow-rate-limited = Zbyt wiele żądań z twojej sieci. Kolejna próba za { $seconds } s…
js-pow-refused = Nie udało się zająć twojego miejsca ({ $reason }). Kolejna próba za { $seconds } s…
js-pow-failed = Nie udało się pobrać twojego miejsca. Kolejna próba za 5 s…

## Zaproszenia
invitation-title = tylko z zaproszeniem
invitation-required-heading = Ta sprzedaż jest tylko dla zaproszonych
invitation-required-body = Aby dołączyć do kolejki, otwórz na tym urządzeniu link z zaproszeniem, który otrzymałeś (e-mailem lub w aplikacji organizatora).
invitation-bad-heading = Ten link z zaproszeniem nie działa
invitation-bad-reason = Powód: { $reason }.
invitation-bad-body = Sprawdź, czy otworzyłeś cały link otrzymany na tę sprzedaż. Jeśli wygasł, poproś organizatora o nowy.
invitation-personal = Zaproszenia są imienne: każdy członek ma jedno miejsce w kolejce, na dowolnym urządzeniu.

## Nie znaleziono sprzedaży
not-found-title = Nie znaleziono sprzedaży
not-found-heading = Nie możemy znaleźć tej sprzedaży
not-found-body = Sprawdź link, z którego skorzystałeś. Linki do sprzedaży wyglądają tak: { $example_html }.

## Twoja kolej (formularz)
your-turn-title = twoja kolej
your-turn-heading = Twoja kolej!
your-turn-deadline = Twoja kolej jest zarezerwowana do { $time_html }. Przejdź dalej przed tym czasem; potem możesz ponownie dołączyć do kolejki.
your-turn-continue = Przejdź do strony zakupu
js-time-left = Pozostały czas: { $minutes } min { $seconds } s.
js-time-warning = Do końca twojej kolei została mniej niż minuta: { $seconds } s.
js-time-over = Twoja kolej się skończyła. Odśwież stronę, aby zobaczyć, na czym stoisz.

## Zbyt wiele żądań, przeciążenie
rate-limited-title = Zbyt wiele żądań – prosimy czekać
rate-limited-body = Z twojej sieci przyszło w krótkim czasie zbyt wiele próśb o miejsce, więc wstrzymujemy tę. Jeśli miałeś już miejsce w kolejce, nadal je masz.
retry-in = Ta strona sama spróbuje ponownie za { $seconds } s. Nie musisz odświeżać.
busy-title = Duży ruch – twoje miejsce jest zachowane
busy-body = Jest teraz tak wielu fanów, że nie zdążyliśmy odpowiedzieć. Jeśli miałeś już miejsce w kolejce, nadal je masz.
busy-retry-again = Ta strona sama spróbuje ponownie za { $seconds } s (próba { $tries }; za każdym razem czeka trochę dłużej). Nie musisz odświeżać.

## Turnstile
turnstile-title = dołącz do kolejki
turnstile-heading = Dołącz do kolejki
turnstile-body = Szybkie sprawdzenie, że jesteś człowiekiem, a potem zajmujesz miejsce w kolejce.
turnstile-button = Dołącz do kolejki
turnstile-noscript = Ta sprzedaż sprawdza, czy jesteś człowiekiem, za pomocą Cloudflare Turnstile, który wymaga JavaScriptu. Włącz JavaScript i odśwież tę stronę.
turnstile-failed = Sprawdzenie nie powiodło się lub wygasło. Spróbuj ponownie.

## W kolejce
waiting-title = jesteś w kolejce
waiting-heading = Jesteś w kolejce
turn-ended-title = twoja kolej się skończyła
turn-ended-heading = Twoja kolej się skończyła
waiting-closed-heading = Ta sprzedaż została zakończona
waiting-keep-open = Nie zamykaj tej strony. Gdy przyjdzie twoja kolej, automatycznie przejdziesz do strony zakupu.
prequeue-draw = Jesteś w kolejce wstępnej. O { $time_html } wszyscy z kolejki wstępnej dostaną miejsce w kolejce w losowej, uczciwie wylosowanej kolejności ({ $link_html }); kto przyjdzie później, stanie za nimi wszystkimi.
prequeue-draw-link = jak sprawdzić losowanie
place-label = twoje miejsce w kolejce
progress-label = Postęp do początku kolejki
ahead-label = przed tobą
eta-label = szacowany czas oczekiwania
phase-label = stan sprzedaży
notify-button = Powiadom mnie, gdy nadejdzie moja kolej
push-offer = Możesz zamknąć tę stronę: powiadomimy cię, gdy będziesz blisko początku i gdy nadejdzie twoja kolej.
push-off-button = Wyłącz powiadomienia
push-noscript = Powiadomienia po zamknięciu tej strony wymagają JavaScriptu: bez niego nie zamykaj tej strony.
rejoin-button = Dołącz ponownie do kolejki
waiting-noscript = Ta strona odświeża się co { $seconds } s i przeniesie cię do strony zakupu, gdy nadejdzie twoja kolej.
waiting-footer = Twoje miejsce zostaje zachowane, jeśli odświeżysz stronę lub wrócisz później na tym urządzeniu albo na innym urządzeniu, na które je przeniesiesz.
wait-under-minute = < 1 min
wait-minutes = { $minutes } min
wait-hours = { $hours } godz. { $minutes } min

## Miejsce i kolej
place-in-prequeue = W kolejce wstępnej
place-your-turn = Twoja kolej!
place-sale-closed = Sprzedaż zakończona
place-not-found = Nie znaleziono miejsca
place-lost = Nie znaleźliśmy zapisu twojego miejsca.
place-lost-invitation = Twoje zaproszenie było na jedno miejsce; skontaktuj się z organizatorem.
turn-expired-title = Przepustka wygasła
turn-expired = Nadeszła twoja kolej, a przepustka wygasła przed zakończeniem zakupu.
turn-released-title = Kolej zakończona
turn-released = Serwis biletowy zakończył twoją kolej bez zakupu.
turn-left-title = Miejsce porzucone
turn-left = Twoje miejsce zostało porzucone: ta strona przestała się zgłaszać przed twoją kolejką.
turn-missed-title = Kolej przepadła
turn-missed = Nadeszła twoja kolej, ale nie została podjęta na czas.
turn-rejoin = Możesz ponownie dołączyć na koniec kolejki.
invitation-once = Twoje zaproszenie było na jedno miejsce, więc nie można go użyć ponownie.
phase-scheduled = jeszcze nie w sprzedaży
phase-prequeue = kolejka wstępna
phase-open = otwarta
phase-paused = wstrzymana
phase-closed = zakończona
js-paused = Sprzedaż jest na chwilę wstrzymana. Zachowujesz swoje miejsce.
js-taking-you = Przenosimy cię do strony zakupu…
js-turn-alert = Twoja kolej! Przenosimy cię do strony zakupu.
js-closed = Ta sprzedaż została zakończona. Dziękujemy za cierpliwość.
js-connection-trouble = Problem z połączeniem; ponawiamy. Zachowujesz swoje miejsce.
js-place-announce = Twoje miejsce w kolejce: { $position }. Szacowany czas oczekiwania: { $wait }.
js-prequeue-announce = Jesteś w kolejce wstępnej. Twoje miejsce zostanie wylosowane na starcie sprzedaży.
js-notify-title = Twoja kolej
js-notify-body = Otwiera się strona zakupu.
js-push-on = Powiadomienia są włączone: powiadomimy cię, gdy będziesz blisko początku i gdy nadejdzie twoja kolej. Możesz zamknąć tę stronę.
js-push-off = Powiadomienia są wyłączone: nie zamykaj tej strony, aby śledzić swoje miejsce.
js-push-denied = Powiadomienia są zablokowane dla tej witryny: zezwól na nie w ustawieniach przeglądarki albo nie zamykaj tej strony.
js-push-unsupported = Ta przeglądarka nie może cię powiadomić po zamknięciu strony: nie zamykaj tej strony.
js-push-failed = Nie udało się włączyć powiadomień: nie zamykaj tej strony albo spróbuj ponownie.
js-push-near = Przed tobą: { $ahead }. Wróć na stronę, aby być gotowym.
js-push-turn = Twoja kolej: wróć do { $time }, aby kupić bilety.

## Move my place (the waiting page of a place that moved away, and its button)
moved-title = twoje miejsce zostało przeniesione
place-moved-heading = Twoje miejsce zostało przeniesione na inne urządzenie
place-moved = Miejsce przeniesione
place-moved-body = Twoje miejsce zostało przeniesione na inne urządzenie, które je teraz ma. To urządzenie nie ma już miejsca w tej kolejce.
move-link-button = Kontynuuj na innym urządzeniu

## Move my place: the page with the link, and the page that takes the place
move-link-title = kontynuuj na innym urządzeniu
move-link-body = Zeskanuj ten kod drugim urządzeniem albo otwórz na nim link. Twoje miejsce przejdzie na tamto urządzenie, a to przestanie je mieć.
move-link-qr = Kod QR linku
move-link-type-code = Albo na drugim urządzeniu otwórz { $path_html } w tej witrynie i wpisz kod { $code_html }.
move-link-expires = Link działa jeden raz, do { $time_html } ({ $minutes } min).
move-link-last-move = To ostatnie przeniesienie twojego miejsca.
move-link-moves-left = Potem twoje miejsce będzie można przenieść jeszcze tyle razy: { $moves }.
move-link-share-nobody = Każdy, kto ma link, może przejąć miejsce: nie udostępniaj go nikomu.
move-link-back = Wróć do mojego miejsca
move-title = przejmij tu swoje miejsce
move-heading = Przejmij swoje miejsce na tym urządzeniu
move-code-label = Kod widoczny na twoim drugim urządzeniu
move-button = Przenieś tu moje miejsce
move-body = Twoje miejsce w kolejce przejdzie na to urządzenie, a drugie urządzenie przestanie je mieć. Jeśli to urządzenie miało już własne miejsce w tej kolejce, zrezygnuje z niego.
js-moving = Przenoszenie twojego miejsca na to urządzenie…
move-refused-invalid = To nie jest link do przeniesienia miejsca w tej sprzedaży. Sprawdź, czy masz cały link lub kod.
move-refused-expired = Ten link wygasł. Poproś o nowy na urządzeniu, które ma twoje miejsce.
move-refused-moved = Ten link został już użyty: miejsce zostało przeniesione.
move-refused-moves-used-up = To miejsce przeniesiono już tyle razy, ile to możliwe.
move-refused-turn-taken = Kolej tego miejsca została już wykorzystana, więc nie można go przenieść.
move-refused-closed = Ta sprzedaż została zakończona.
move-refused-other = Nie udało się przenieść tu twojego miejsca. Spróbuj ponownie albo poproś o nowy link.

## Come as a party
invite-friends-button = Zaproś znajomych
party-link-title = zaproś znajomych
party-link-body = Wyślij ten link najwyżej { $friends } znajomym. Dołączą do twojego miejsca zamiast zajmować własne i wejdziecie razem.
party-link-type-code = Albo otworzą { $path_html } na tej stronie i wpiszą kod { $code_html }.
party-link-expires = Link działa do { $time_html } ({ $minutes } min).
party-title = dołącz do grupy
party-heading = Dołącz do miejsca znajomego
party-code-label = Kod, który wysłał ci znajomy
party-join-button = Dołącz do grupy
party-gives-up = Jeśli to urządzenie ma już własne miejsce w tej kolejce, dołączając, rezygnujesz z niego: wejdziesz razem ze znajomym.
in-a-party = Jesteś w grupie: wejdziesz razem ze znajomym, który cię zaprosił.
party-size = Twoja grupa: { $size } z najwyżej { $max }.
see-my-party = Zobacz moją grupę
party-leave-button = Opuść grupę
party-left = Opuściłeś grupę. Z wcześniejszego miejsca zrezygnowałeś, dołączając; możesz znów stanąć na końcu kolejki.
party-refused-invalid = To nie jest link do grupy w tej sprzedaży. Sprawdź, czy masz cały link albo kod.
party-refused-expired = Ten link do grupy wygasł. Poproś znajomego o nowy.
party-refused-full = Ta grupa jest pełna.
party-refused-in-a-party = Jesteś już w grupie albo twoje miejsce prowadzi grupę: możesz być najwyżej w jednej grupie.
party-refused-moved = Ten link już nie działa: miejsce, które wskazuje, zostało przeniesione albo z miejsca tego urządzenia już zrezygnowano.
party-refused-turn-taken = Kolej tej grupy już nadeszła.
party-refused-other = Nie udało się dołączyć do tej grupy. Spróbuj ponownie albo poproś znajomego o nowy link.
party-refused-needs-script = Ta sprzedaż zachowuje każde miejsce dla urządzenia, które je trzyma, więc dołączenie do grupy wymaga JavaScriptu (tworzy klucz tego urządzenia). Włącz JavaScript i otwórz link ponownie.

## The assisted lane (more time for the turn), on the waiting page
assist-granted = Masz ścieżkę z asystą: gdy przyjdzie twoja kolej, dostaniesz { $multiplier } razy więcej czasu na jej przyjęcie i zakup.
assist-offer = Potrzebujesz więcej czasu na zakup, na przykład z technologią wspomagającą albo z czyjąś pomocą? Ścieżka z asystą daje ci { $multiplier } razy więcej czasu, gdy przyjdzie twoja kolej. Twoje miejsce w kolejce się nie zmienia.
assist-button = Potrzebuję więcej czasu
assist-notice-granted = Masz ścieżkę z asystą: gdy przyjdzie twoja kolej, dostaniesz { $multiplier } razy więcej czasu na jej przyjęcie i zakup. Twoje miejsce w kolejce się nie zmienia.
assist-notice-full = Wszystkie miejsca z asystą w tej sprzedaży są zajęte. Zachowujesz swoje miejsce w kolejce, ze zwykłym czasem.
assist-notice-too-late = Twoja kolej już nadeszła: o ścieżkę z asystą prosi się w trakcie czekania.
assist-notice-unavailable = Nie udało się przyznać ścieżki z asystą. Zachowujesz swoje miejsce w kolejce.

## The sale's public report
report-title = raport
report-heading = Co się działo w tej sprzedaży
report-final-at = Sprzedaż zakończyła się o { $time_html }. Te liczby są ostateczne.
report-final = Sprzedaż się zakończyła. Te liczby są ostateczne.
report-live = Sprzedaż wciąż trwa ({ $phase }): te liczby jeszcze się zmieniają.
report-fans-in-line = Fani w kolejce
report-admitted = Wpuszczeni fani
report-completed = Zakończone zakupy
report-left = Odeszli, zanim przyszła ich kolej
report-median-wait = Mediana czekania, od dołączenia do swojej kolei
report-p90-wait = 90% fanów czekało najwyżej
report-wait-seconds = { $seconds } s
report-wait-minutes = { $minutes } min { $seconds } s
report-waits-hidden = Czasy czekania są widoczne, gdy wpuszczono co najmniej tylu fanów: { $count }, tak by nie było widać czasu żadnego pojedynczego fana.
report-refused-heading = Odmówione miejsca
report-refused-body = Prośby o miejsce odrzucone przez zabezpieczenie (skrypt odrzucony dziesięć razy liczy się dziesięć razy).
report-refused-pow = Dowód pracy bez poprawnego rozwiązania
report-refused-rate = Zbyt wiele żądań z jednego adresu
report-refused-turnstile = Niezaliczona weryfikacja Turnstile
report-refused-invitation = Bez ważnego zaproszenia
report-refused-socket = Połączenia ponad limit na adres
report-draw-heading = Losowanie
report-draw-body = Fani, którzy przyszli przed otwarciem sprzedaży, dostali losową kolejność, ustaloną, zanim ktokolwiek przyszedł.
report-commitment = Zobowiązanie (SHA-256 klucza)
report-key = Klucz
report-key-hidden = jeszcze nie ujawniony
report-key-matches = Klucz zgadza się ze zobowiązaniem
report-yes = tak
report-no = nie
report-not-drawn = jeszcze nie rozlosowano
report-verify = Sprawdź sam:
report-json = Te liczby jako JSON

# Bound to this device (device_binding): the binding page, the waiting and move pages' notes, their scripts.
binding-body = W tej sprzedaży twoje miejsce jest tylko dla tego urządzenia: nie można go skopiować do innej przeglądarki, udostępnić ani sprzedać. Nie zamykaj tej strony: za chwilę dołączysz do kolejki.
binding-noscript = Aby dołączyć do tej sprzedaży, potrzebny jest JavaScript: każde miejsce należy do urządzenia, które je zajmuje, z kluczem, który twoja przeglądarka tworzy i nigdy nie udostępnia. Włącz JavaScript i odśwież tę stronę.
binding-confirming = Potwierdzanie tego urządzenia…
waiting-bound-noscript = To miejsce jest związane z kluczem tego urządzenia, więc przeniesienie go na inne urządzenie wymaga JavaScriptu na obu urządzeniach.
door-bound-noscript = Twoja kolej, a to miejsce jest zachowane dla urządzenia, które je zajęło: tylko JavaScript może użyć klucza tego urządzenia, by je potwierdzić. Włącz JavaScript i odśwież tę stronę.
move-bound-body = W tej sprzedaży każde miejsce należy do urządzenia, które je ma: twoje miejsce będzie związane z kluczem tego urządzenia i tylko to urządzenie będzie mogło skorzystać z twojej kolejki.
move-bound-noscript = Przeniesienie miejsca w tej sprzedaży wymaga JavaScriptu (tworzy on klucz tego urządzenia): włącz go i otwórz link ponownie. Do tego czasu twoje miejsce zostaje tam, gdzie jest.
move-refused-needs-script = W tej sprzedaży każde miejsce należy do urządzenia, które je ma, więc przeniesienie twojego miejsca tutaj wymaga JavaScriptu (tworzy on klucz tego urządzenia). Włącz JavaScript i otwórz link ponownie; do tego czasu twoje miejsce zostaje tam, gdzie jest.
js-bound-elsewhere-position = Zarezerwowane dla innego urządzenia
js-bound-elsewhere-title = To nie jest miejsce tego urządzenia
js-bound-elsewhere = To miejsce zostało zajęte na innym urządzeniu i tylko tamto urządzenie może z niego skorzystać.
js-bind-taken-elsewhere = Miejsce, które ma ta przeglądarka, zostało zajęte na innym urządzeniu i tylko tamto urządzenie może z niego skorzystać.
js-move-failed = Nie udało się przenieść tutaj twojego miejsca.
js-move-retry = Nie udało się przenieść tutaj twojego miejsca. Otwórz link ponownie, aby spróbować jeszcze raz.
