# Lyceum — English. Message ids must match zh-CN/main.ftl exactly.

## Command catalogue: descriptions (Discord allows 100 characters)

cmd-help = Show the commands you can use here
cmd-tiers = List membership tiers, their perks and prices
cmd-join = Join this community
cmd-me = Show your membership, points and badges
cmd-points = Show your points balance and rank
cmd-leaderboard = Show a points leaderboard: all-time, this week, month or season
cmd-leaderboard-page = Page number, starting at 1
cmd-leaderboard-board = all, week, month or season (default: all)
cmd-rank = Show your rank, level and progress
cmd-rank-board = all, week, month or season (default: all)
cmd-checkin = Check in for today and keep your streak going
cmd-shop = Show the rewards you can buy with points
cmd-redeem = Spend points on a reward from the shop
cmd-redeem-reward = The reward's key, as /shop lists it
cmd-badges = Show the badges you have earned and those still open
cmd-link = Link your accounts on other platforms, so one membership counts everywhere
cmd-link-code = The code you got from /link on your other account
cmd-grant = Admin: give a member a tier
cmd-grant-user = The member, e.g. discord:123 or console:alice
cmd-grant-tier = The tier key, e.g. pro
cmd-grant-days = For how many days (leave out for no end date)
cmd-revoke = Admin: end a member's access now
cmd-revoke-user = The member, e.g. discord:123 or console:alice
cmd-award = Admin: award (or deduct) points
cmd-award-user = The member, e.g. discord:123 or console:alice
cmd-award-points = How many points; negative deducts
cmd-award-reason = Why, in a few words
cmd-member = Admin: show a member's status and the history behind it
cmd-member-user = The member, e.g. discord:123 or console:alice
cmd-join-code = A referral code from the member who invited you (optional)
cmd-subscribe = Get a private checkout link for a membership tier
cmd-subscribe-tier = The tier key, e.g. pro (leave out to see the tiers)
cmd-subscribe-period = monthly or yearly (monthly if left out)
cmd-buy = Get a private checkout link for a course or lesson
cmd-buy-offer = The offer key, e.g. rust-course
cmd-billing = Manage your payment method, invoices and plan
cmd-cancel = Cancel your subscription at the end of the paid period
cmd-invite = Get your personal referral code
cmd-dashboard = Get a one-time sign-in link to this community's dashboard (admins)
cmd-erase = Admins: erase a person's data on their request (payments stay, without a name)
cmd-erase-user = The person, e.g. discord:123
cmd-privacy = Your own data: download it, or have it erased
cmd-privacy-export = Get a private link to everything kept about you, as JSON
cmd-privacy-delete = Erase what identifies you in every community here (asks first)
cmd-privacy-delete-confirm = Type confirm to erase now
cmd-coupon = Admin: create a promotion code for checkout
cmd-coupon-code = What members type at checkout, e.g. SPRING25
cmd-coupon-percent = Percent off (1 to 100)
cmd-coupon-months = For how many months of a subscription (leave out for the first payment only)
cmd-refund = Admin: refund a member's Telegram Stars payment
cmd-refund-user = The member, e.g. telegram:456
cmd-refund-payment = The payment's charge id (from the revenue ledger)

## Replies

help-title = Commands you can use in { $community }:
help-creator-title = Creator commands:
help-admin-title = Admin commands:
tiers-title = Membership tiers of { $community }:
tiers-perks = perks: { $perks }
tiers-no-perks = no perks
tiers-free = no price set
offer-tier_monthly = { $price } / month
offer-tier_yearly = { $price } / year
offer-course = course: { $price }
offer-lesson = lesson: { $price }
joined = Welcome to { $community }! See /tiers for memberships and /help for what you can do.
joined-already = You are already a member of { $community }.
checkout = Your checkout link for { $offer } ({ $price }): { $url }
    Access opens as soon as the payment goes through. The link is only for you.
checkout-trial = Your checkout link for { $offer } ({ $price }) with { $days ->
        [one] { $days } free day
       *[other] { $days } free days
    }: { $url }
    You will not be charged before the trial ends. The link is only for you.
portal = Manage your payment method, invoices and plan here: { $url }
dashboard-link = Your dashboard sign-in link, good for { $minutes } minutes and one use: { $url }
privacy-export = Everything kept about you, as JSON, downloadable for { $minutes } minutes: { $url }
privacy-delete-ask = This erases your accounts, points, badges, check-ins, activity, questions and lesson progress in { $memberships } { $memberships ->
        [one] community
       *[other] communities
    }, and ends any access you hold. Payment records stay in the books without your name. To go ahead, send /privacy delete confirm
privacy-erased = Done: what identified you is erased from { $memberships } { $memberships ->
        [one] community
       *[other] communities
    }. { $kept } payment records stay in the books without your name.
cancel-scheduled = Your { $tier } subscription will not renew. You keep access until { $until }.
cancel-scheduled-open = Your { $tier } subscription will not renew.
invite = Your referral code for { $community } is { $code }. New members send /join { $code }. Members you referred: { $referred }.
coupon-created = Promotion code { $code } created: { $percent }% off the first payment.
coupon-created-months = Promotion code { $code } created: { $percent }% off for { $months ->
        [one] { $months } month
       *[other] { $months } months
    }.
refunded = Refunded { $amount } to { $identity }; the access it paid for has ended.
me-title = Your membership in { $community }
member-title = Member #{ $id } in { $community }
field-identities = Accounts: { $identities }
field-tier = Tier: { $tier }
field-no-tier = Tier: none
field-status = Status: { $status }
field-until = Access until: { $until }
field-until-open = Access until: no end date
field-perks = Perks: { $perks }
field-points = Points: { $points }
field-badges = Badges: { $badges }
none = none
history-title = History (why access is what it is):
history-empty = No changes yet.
history-line = { $at }: { $from } → { $to }{ $tier }{ $until } — { $cause }{ $actor }
history-by = , by { $actor }
history-tier = , tier { $tier }
history-until = , until { $until }
points-summary = You have { $balance ->
        [one] { $balance } point
       *[other] { $balance } points
    }. { $rank ->
        [0] Earn points to appear on the leaderboard.
       *[other] You are #{ $rank } on the leaderboard.
    }
points-level = Level { $level }.
points-recent = Latest entries:
points-recent-line = { $at }: { $delta } — { $source }: { $reason }
board-all = All-time
board-week = This week's
board-month = This month's
board-season = This season's
rank-title = { $name } — { $board } board
rank-place = #{ $rank } of { $of }, with { $points ->
        [one] { $points } point
       *[other] { $points } points
    }.
rank-unranked = Not on this board yet: earn points to appear.
rank-level = Level { $level }: { $into } of { $needed } points toward level { $next }.
rank-extra = Balance { $balance } · check-in streak { $streak } · badges { $badges }
card-rank = #{ $rank } of { $of }
card-unranked = not ranked yet
card-level = Level { $level }
card-progress = { $into } / { $needed } to next level
card-footer = { $balance } points · { $streak }-day streak · { $badges } badges
checked-in = Checked in! +{ $points ->
        [one] { $points } point
       *[other] { $points } points
    }. Streak: { $streak ->
        [one] { $streak } day
       *[other] { $streak } days
    } (best { $best }). Balance: { $balance }.
checked-in-badges = New badges: { $badges }
shop-title = Points shop — you have { $balance } points:
shop-empty = This community's shop has no rewards yet.
shop-line = { $key }: { $name } — { $price } points, { $what }{ $left }
shop-left = { " " }({ $left } left)
shop-sold-out = { " " }(sold out)
shop-hint = Redeem with /redeem <key>.
reward-perk = { $perk } for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
reward-offer = { $offer }, yours to keep
reward-coupon = a { $percent }% discount code
redeemed-perk = Redeemed { $reward } for { $price } points: { $perk } is yours until { $until }. Balance: { $balance }.
redeemed-offer = Redeemed { $reward } for { $price } points: { $name } is yours. Balance: { $balance }.
redeemed-coupon = Redeemed { $reward } for { $price } points. Your code: { $code } ({ $percent }% off). Balance: { $balance }.
redeemed-coupon-pending = Redeemed { $reward } for { $price } points. Your code { $code } ({ $percent }% off) will work within minutes; the payment provider is slow to answer. Balance: { $balance }.
badge-rule-points = reach { $n ->
        [one] { $n } point
       *[other] { $n } points
    }
badge-rule-level = reach level { $n }
badge-rule-streak = a { $n }-day check-in streak
badge-rule-checkins = check in { $n ->
        [one] once
       *[other] { $n } times
    }
badge-rule-lessons = complete { $n ->
        [one] a lesson
       *[other] { $n } lessons
    }
badge-rule-weekly-top = finish a week in the top { $n }
badge-rule-first-payment = your first payment
badge-rule-early-supporter = be among the first { $n } paying members
leaderboard-title = { $board } leaderboard, page { $page } of { $pages }:
leaderboard-title-span = { $board } leaderboard ({ $from } to { $to }), page { $page } of { $pages }:
leaderboard-empty = Nobody has points yet. Be the first!
leaderboard-line = { $rank }. { $name } — { $points ->
        [one] { $points } point
       *[other] { $points } points
    }
badges-earned = Badges you have earned:
badges-open = Still open:
badges-none-earned = You have not earned a badge yet.
badges-none-configured = This community has no badges yet.
badge-line = { $name } — { $rule }
link-code = Your link code is { $code }. Within { $minutes } minutes, send /link { $code } from your account on the other platform. Do not share it.
linked = Linked. These accounts now share one membership: { $identities }
granted = { $identity } now has { $tier } until { $until }.
granted-open = { $identity } now has { $tier }, with no end date.
revoked = Access ended for { $identity }.
awarded = Awarded { $points ->
        [one] { $points } point
       *[other] { $points } points
    } to { $identity }; their balance is { $balance }.

## Status and causes

status-none = no membership
status-trialing = trialing
status-active = active
status-past_due = payment overdue
status-canceled = canceled
status-expired = expired
cause-join = joined
cause-admin_grant = granted by an admin
cause-admin_revoke = revoked by an admin
cause-expiry = access period ended
cause-link = accounts linked
cause-payment = payment event
cause-checkout = payment at checkout (dates follow from the subscription)

## Refusals

err-unknown-command = There is no command /{ $name }. Send /help to see what you can do.
err-unknown-option = /{ $command } has no option "{ $option }".
err-missing-option = /{ $command } needs { $option }. Send /help to see how to use it.
err-too-many-arguments = /{ $command } got more than it takes. Send /help to see how to use it.
err-not-an-integer = { $option } must be a whole number, not "{ $value }".
err-integer-out-of-range = { $option } must be between { $min } and { $max }.
err-text-too-long = { $option } can be at most { $max } characters.
err-bad-identity = "{ $input }" is not an account. Write it like discord:123, telegram:456 or console:alice.
err-not-admin = Only admins of this community can use /{ $command }.
err-unknown-community = There is no community "{ $slug }".
err-not-member = You are not a member yet. Send /join first.
err-unknown-member = { $identity } is not a member of this community.
err-unknown-tier = There is no tier "{ $key }". Tiers: { $available }.
err-balance-overflow = That would take the balance past the largest number we can keep. Nothing was changed.
err-nothing-to-revoke = { $identity } has no access to end.
err-link-code-invalid = That link code is not valid. Send /link on your other account to get a new one.
err-link-code-expired = That link code has expired. Send /link on your other account to get a new one.
err-link-code-used = That link code was already used. Send /link on your other account to get a new one.
err-already-linked = These accounts are already linked.
err-platform-already-linked = You already have a linked { $platform } account; one per platform.
err-bad-code = That { $option } is not valid: use letters, digits and dashes.
err-bad-choice = { $option } must be one of { $choices }, not "{ $value }".
err-unknown-offer = There is nothing for sale called "{ $key }". Offers: { $available }.
err-payments-disabled = Payments are not set up for this community yet. Please ask an admin.
err-not-for-sale = { $name } is not for sale online yet. Please ask an admin.
err-already-subscribed = You already have a { $tier } subscription. Use /billing to change your plan, so you are never charged twice.
err-already-owned = You already own { $name }; there is nothing to pay.
err-no-billing-account = You have no payments on record yet. Use /subscribe or /buy first.
err-dashboard-off = The dashboard is not set up on this server. The operator sets http.public_url and http.dashboard_secret.
err-still-subscribed = You have a subscription that is still running. Cancel it with /cancel first, then ask again.
err-no-subscription = You have no subscription to cancel.
err-already-canceling = Your subscription is already set to end on { $until }.
err-billing-refused = The payment provider refused the request: { $message }
err-billing-unavailable = The payment provider cannot be reached right now. Nothing was charged; please try again in a few minutes.
err-referral-invalid = "{ $code }" is not a referral code of this community.
err-self-referral = You cannot use your own referral code.
err-referral-too-late = A referral code only counts before your first payment, and only once.
err-unknown-payment = There is no Telegram Stars payment "{ $payment }" from that member.
err-not-enough-points = You have { $balance ->
        [one] { $balance } point
       *[other] { $balance } points
    }, which is not enough: this needs { $needed }. Nothing was changed.
err-award-too-large = An award can be at most { $max } points either way, and not zero. Nothing was changed.
err-already-checked-in = You have already checked in today (streak: { $streak ->
        [one] { $streak } day
       *[other] { $streak } days
    }). Come back tomorrow.
err-unknown-reward = There is no reward "{ $key }" in the shop. Rewards: { $available }.
err-out-of-stock = "{ $name }" is sold out. Nothing was changed.
err-unknown-board = There is no leaderboard "{ $input }". Choose all, week, month or season.
err-internal = Something went wrong on our side and nothing was changed. Please try again in a moment.

## Messages delivered through the outbox

notice-access-granted = You now have { $tier } in { $community } until { $until }.
notice-access-granted-open = You now have { $tier } in { $community }.
notice-access-ended = Your { $tier } access in { $community } has ended.
telegram-invite = Your personal invite for { $perk }: { $link } Open it and ask to join; you are let in at once.
welcome-start = Welcome to { $community }! I look after its memberships, lessons and points. Type /tiers to see the memberships, /join to become a member, and /help for everything you can do.
welcome-expired = That link has expired; here are the links that work now.
welcome-web = You are signed in on the page. Go back to your browser to finish joining; it continues by itself.
welcome-choose = I serve more than one community. Tap the one you mean:
welcome-unknown = I do not know a community called “{ $slug }”.
telegram-start-me = I have a private answer for you: open a chat with me, press Start, and send the command again.
telegram-guide-rights = Lyceum cannot run the paid chat { $chat }: make the bot an admin there with these rights: { $rights }.
stars-invoice = ⭐ { $title }: { $stars } Stars. Pay here: { $link }
discord-guide-manage-roles = Lyceum cannot give or take roles: grant its role the Manage Roles permission (Server Settings → Roles).
discord-guide-role-order = Lyceum cannot manage the role "{ $role }": in Server Settings → Roles, drag "{ $bot_role }" above "{ $role }".
discord-guide-role-missing = The role { $role } configured for the perk "{ $perk }" does not exist in this server any more; create it and update the configuration.
notice-payment-failed = Your last payment for { $tier } in { $community } did not go through. You keep access until { $until } while it is retried; send /billing to update your payment method.
notice-payment-failed-link = Your last payment for { $tier } in { $community } did not go through. You keep access until { $until } while it is retried. Update your payment method here: { $url }
notice-renewal-reminder = Your { $tier } access in { $community } ends on { $until } and will not renew ({ $days ->
        [one] { $days } day left
       *[other] { $days } days left
    }). Send /subscribe to keep it.
notice-points-awarded = You received { $points ->
        [one] { $points } point
       *[other] { $points } points
    } in { $community } for: { $reason }. Balance: { $balance }.
notice-badge-earned = New badge in { $community }: { $badge }!
notice-level-up = You reached level { $level } in { $community }!
effect-grant-perk = perk granted: { $perk } ({ $community })
effect-revoke-perk = perk removed: { $perk } ({ $community })

## Console

console-welcome = Lyceum console — you are { $identity } in { $community }. Type /help, or end input to leave.

## Lessons and courses

cmd-lesson = Creators: post, edit or remove a lesson
cmd-lesson-post = Creators: post a lesson with who may read it; a card goes to the lesson channels
cmd-lesson-post-lesson = A short key for the lesson, e.g. intro-to-async
cmd-lesson-post-title = The lesson's title
cmd-lesson-post-body = The whole lesson (text and links)
cmd-lesson-post-tier = The lowest tier that includes it, e.g. pro
cmd-lesson-post-price = Sell it on its own at this price, e.g. 9.99
cmd-lesson-post-stars = Sell it on Telegram for this many Stars
cmd-lesson-post-points = Let members unlock it for this many points
cmd-lesson-post-opens = Open it N days after each member joined, or on a date (2026-12-01)
cmd-lesson-post-course = The course it belongs to
cmd-lesson-post-teaser = What everyone sees before unlocking
cmd-lesson-post-attachment = A link to attach, e.g. slides or a recording
cmd-lesson-edit = Creators: change a lesson; its cards are updated
cmd-lesson-edit-lesson = The lesson's key
cmd-lesson-edit-body = The new text of the lesson
cmd-lesson-edit-title = A new title
cmd-lesson-edit-tier = The lowest tier that includes it (none for no tier)
cmd-lesson-edit-price = A new price (0 stops selling it on its own)
cmd-lesson-edit-stars = A new Stars price (0 stops selling it for Stars)
cmd-lesson-edit-points = Points that unlock it (0 for none)
cmd-lesson-edit-opens = Days after joining, a date, or none
cmd-lesson-edit-course = The course it belongs to (none for no course)
cmd-lesson-edit-teaser = What everyone sees before unlocking (none for the title only)
cmd-lesson-edit-attachment = A link to attach (none to remove it)
cmd-lesson-remove = Creators: remove a lesson and its cards
cmd-lesson-remove-lesson = The lesson's key
cmd-lessons = List the lessons and which you can read
cmd-unlock = Read a lesson, or see how to unlock it
cmd-unlock-lesson = The lesson's key, as /lessons lists it
cmd-unlock-with = points to spend points, buy to pay for it
cmd-course = List the courses, or show one course's lessons
cmd-course-course = The course's key (leave out to list them)
cmd-progress = Show how far you are in each course
cmd-complete = Mark a lesson as done and earn points
cmd-complete-lesson = The lesson's key

err-not-creator = Only the community's creators can use /{ $command }.
err-bad-lesson-key = "{ $key }" cannot be a lesson key: use lowercase letters, digits and dashes, like intro-to-async.
err-unknown-lesson = There is no lesson "{ $key }". Lessons: { $available }.
err-lesson-removed = The lesson "{ $title }" was removed by its creator.
err-lesson-exists = There is already a lesson (or an offer) with the key "{ $key }"; choose another key, or use /lesson edit.
err-unknown-course = There is no course "{ $key }". Courses: { $available }.
err-bad-price = "{ $input }" is not a price in { $currency }: write it like 9.99, or 0 for no price.
err-bad-opens = "{ $input }" is neither a number of days nor a date like 2026-12-01.
err-opens-in-past = { $date } has already passed; choose a date ahead, or a number of days after joining.
err-opens-too-late = A lesson can open at most { $max_days } days ahead.
err-bad-attachment = "{ $input }" is not a web link (http or https).
err-not-open-yet = "{ $title }" opens for you on { $opens }.
err-not-for-points = "{ $title }" cannot be unlocked with points.
err-already-unlocked = You can already read "{ $title }": send /unlock without a way to read it.
err-not-unlocked = You have not unlocked "{ $title }" yet; send /unlock to see how.
err-already-completed = You already completed "{ $title }".
err-nothing-to-edit = Say what to change, e.g. /lesson edit intro title="A new title".

lesson-posted = Lesson { $key } posted: "{ $title }". Its card is on its way to { $channels ->
        [one] { $channels } channel
       *[other] { $channels } channels
    }.
lesson-edited = Lesson { $key } updated: "{ $title }". { $channels ->
        [one] { $channels } channel's card is
       *[other] { $channels } channels' cards are
    } being updated.
lesson-removed = The lesson "{ $title }" was removed; its cards are being taken down.
lesson-unlocked-points = Unlocked for { $points ->
        [one] { $points } point
       *[other] { $points } points
    }. Balance: { $balance }.
lesson-on-the-web = Also on the web, easier to read: { $url }
lesson-attachments = Attached: { $links }
lesson-done-already = ✅ You completed this lesson.
lesson-complete-hint = Done? Send /complete { $key } to record it and earn points.
lesson-locked = 🔒 "{ $title }" is locked for you.
lesson-no-way = It is not open to your membership and is not sold on its own.
lesson-ways = Unlock it by:
unlock-way-tier = joining { $tier } or higher: /subscribe { $key }
unlock-way-buy = buying it for { $price }: /unlock { $key } buy
unlock-way-course = buying the course { $course } for { $price }: /buy { $offer }
unlock-way-points = spending { $cost } points (you have { $balance }): /unlock { $key } points
lesson-state-open = open
lesson-state-done = done
lesson-state-locked = locked
lesson-state-opens = opens { $date }
lessons-none = No lessons have been posted yet.
lessons-title = Lessons:
lessons-loose = Other lessons:
course-line = { $name } ({ $key }): { $done }/{ $total } done
courses-none = There are no courses yet.
courses-title = Courses:
course-empty = No lessons in this course yet.
course-ways = Get the whole course by:
progress-title = You completed { $done } of { $total } lessons.
lesson-completed = ✅ "{ $title }" completed. +{ $points ->
        [one] { $points } point
       *[other] { $points } points
    }, balance { $balance }.
card-tier = { $tier } and above
card-price = { $price }
card-points = { $points } points
card-free = free for members
card-opens = Opens on { $date }.
card-drip = Opens { $days } days after you join.
card-unlock = Press Unlock, or send /unlock { $key }.
card-button = Unlock
card-edited = (card updated: { $messages })
card-removed = card taken down: { $messages }

## Recommendations, questions and highlights

cmd-next = Suggest lessons to read next
cmd-ask = Put a question to the creators
cmd-ask-question = Your question
cmd-questions = Creators: list the questions waiting for an answer
cmd-answer = Creators: answer a member's question
cmd-answer-question = The question's number, as /questions lists it
cmd-answer-answer = Your answer
cmd-digest = Show the community's highlights (精华)
cmd-highlight = Admin: mark a lesson, an answered question (#12) or a message link as a highlight
cmd-highlight-item = A lesson key, #12 for question 12, or a message link
cmd-highlight-note = Why it is worth reading (optional)
cmd-unhighlight = Admin: take a highlight off the digest
cmd-unhighlight-highlight = The highlight's number, as /digest shows it

err-unknown-question = There is no question #{ $id } here.
err-already-answered = Question #{ $id } has already been answered.
err-not-answered = Question #{ $id } has no answer yet; answer it before making it a highlight.
err-unknown-highlight = There is no highlight [{ $id }] on the digest.
err-bad-highlight = "{ $item }" is not a lesson key, a question like #12, or a web link.

next-none = There are no lessons left to suggest: you have done them all, or none are posted yet.
next-personal = Picked for you, from what members with similar lessons read:
next-popular = The lessons members read most:
question-asked = Your question #{ $id } went to the creators; the answer will come to you privately.
question-paid = It cost { $points } points; balance { $balance }.
questions-none = No questions are waiting for an answer.
questions-title = Questions waiting for an answer:
questions-hint = Answer with /answer <number> <answer>.
question-answered = Question #{ $id } answered; the member is being told.
digest-none = No highlights yet.
digest-title = Highlights:
highlighted = Added to the highlights as [{ $id }].
unhighlighted = Highlight [{ $id }] taken off the digest.
notice-new-question = New question #{ $id } in { $community } from { $asker }: { $question } — answer with /answer { $id } …
notice-question-answered = Your question #{ $id } in { $community } was answered.
    Q: { $question }
    A: { $answer }

# The admin dashboard (adapters/web)
dash-overview = Overview
dash-members = Members
dash-revenue = Revenue
dash-leaderboard = Leaderboard
dash-lessons = Lessons
dash-audit = Audit log
dash-exports = Exports
dash-sign-out = Sign out
dash-fig-members = Members
dash-fig-members-note = { $n } with access
dash-fig-mrr = MRR
dash-fig-mrr-note = { $change } in 30 days
dash-fig-revenue = Revenue this month
dash-fig-revenue-note = net of refunds and lost disputes
dash-fig-trials = Trial conversion
dash-fig-trials-note = { $converted } of { $over } finished trials
dash-fig-churn = Churn, 30 days
dash-fig-churn-note = { $lost } of { $base } lost access
dash-fig-active = Active members, 7 days
dash-fig-active-note = wrote or reacted
dash-chart-mrr = MRR, weekly
dash-chart-flow = New (up) and churned (down) members per week
dash-chart-retention = Retention L(k) by month of first access
dash-chart-activity = Daily activity A(t) = interactions / members
dash-cohort = Cohort
dash-by-status = Members by status
dash-search = Search
dash-search-hint = identity, tier or status
dash-found = { $found } found
dash-shown = first { $shown } shown
dash-col-member = Member
dash-col-identities = Identities
dash-col-tier = Tier
dash-col-status = Status
dash-col-until = Access until
dash-col-points = Points
dash-col-joined = Joined
dash-col-when = When
dash-col-kind = Kind
dash-col-offer = Offer
dash-col-amount = Amount
dash-col-provider = Provider
dash-col-reference = Reference
dash-col-rank = Rank
dash-col-lesson = Lesson
dash-col-title = Title
dash-col-views = Views
dash-col-unlocks = Unlocked with points
dash-col-sold = Sold
dash-col-completed = Completed
dash-col-who = Who
dash-col-platform = Platform
dash-col-command = Command
dash-col-said = What it said
dash-col-from = From
dash-col-to = To
dash-col-why = Why
dash-col-by = By
dash-col-note = Note
dash-col-change = Change
dash-member-title = Member #{ $id }
dash-badges = Badges
dash-history = Membership history: what changed and why
dash-points = Points, newest first
dash-privacy = Privacy requests
dash-download = Download everything kept about this person (JSON)
dash-erase-confirm = Erase what identifies this person in every community; payments stay without a name
dash-erase = Erase
dash-empty = Nothing here yet.
dash-download-payments = Download payments CSV
dash-exports-note = CSV files in UTF-8 with a header row; amounts in minor units, times in UTC.

## The public pages of a community, for people not in it yet.
store-language = Language
store-language-name = English
store-footer = Membership and payments run on Lyceum.
store-by = by { $creator }
store-tiers = Memberships
store-per-month = { $price } a month
store-per-year = { $price } a year
store-trial = { $days ->
    [one] first day free
   *[other] first { $days } days free
}
store-course-price = The whole course: { $price }
store-course-size = { $count ->
    [one] One lesson
   *[other] { $count } lessons
}
store-lessons = Lessons
store-faq = Questions
store-how-to-read = How to read it
store-see-tiers = See the memberships
store-free = Free for members
store-opens = opens { $date }
store-way-tier = Included in { $tier } and above
store-way-buy = On its own for { $price }
store-way-course = With the course { $course } for { $price }
store-way-points = For { $cost } points earned in the community
store-count-members = { $count ->
    [one] member
   *[other] members
}
store-count-lessons = { $count ->
    [one] lesson
   *[other] lessons
}
store-count-courses = { $count ->
    [one] course
   *[other] courses
}
store-not-found = There is no such page. Check the link you were given.
card-join = Join on Discord or Telegram
store-stars-month = or { $stars } Telegram Stars a month

## Joining from a community's public page: signing in, paying, and the
## page that follows the purchase until access is granted.
join-title = Join: { $offer }
join-choose = First tell us who you are, so your access lands on the right account.
join-with-discord = Continue with Discord
join-signed-in = Signed in with { $platform } as { $name }.
join-pay = Pay with Stripe
join-pay-note = You pay on Stripe's page; coupon codes can be entered there.
join-sign-out = Sign out
join-canceled = The payment was canceled and nothing was charged. You can try again whenever you like.
join-denied = Discord was not allowed to tell us who you are, so nothing happened. You can try again.
join-expired = This sign-in took too long or was already used. Please start again.
join-failed = Discord did not confirm the sign-in. Please try again in a moment.
join-no-signin = Signing in on the web is not set up for this community yet. Use the bot in the chat to join.
join-have-access = You already have this, so there is nothing to pay.
join-back = Back to { $community }
join-referred = Invited with the code { $code }.
welcome-title = Thank you
welcome-waiting = Waiting for the payment to be confirmed…
welcome-delivering = Payment received. Granting your access…
welcome-ready = Access granted.
welcome-step-paid = Payment received
welcome-step-access = Access granted
welcome-step-open = Ready to open
welcome-open-discord = Open Discord
welcome-refreshing = This page updates by itself when something changes.
welcome-slow = Usually this takes a few seconds. If nothing changes within five minutes, your payment is safe: send /me to the bot in the community, or tell its admins, and it will be sorted out.
welcome-sign-in = Sign in again to see how your purchase is going.
join-with-telegram = Continue with Telegram
welcome-open-telegram = Open Telegram
telegram-step-open = Open Telegram with the button below.
telegram-step-start = Press Start in the chat with the bot.
telegram-step-back = Come back here: this page continues by itself.
telegram-open = Open Telegram
telegram-waiting = Waiting for you to press Start… This page continues by itself once you have.
telegram-other-way = Back to the offer
read-sign-in = Members read this lesson here after signing in.
read-complete = Mark as complete
read-completed = You have completed this lesson.
read-done = Marked as complete.
welcome-check = Check again
