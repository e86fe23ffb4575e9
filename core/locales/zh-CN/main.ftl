# Lyceum — 简体中文。消息 id 必须与 en/main.ftl 完全一致。

## 命令目录：说明

cmd-help = 查看你在这里可以使用的命令
cmd-tiers = 查看会员等级、权益和价格
cmd-join = 加入本社群
cmd-me = 查看你的会员资格、积分和徽章
cmd-points = 查看你的积分余额和排名
cmd-leaderboard = 查看积分排行榜：总榜、周榜、月榜或赛季榜
cmd-leaderboard-page = 页码，从 1 开始
cmd-leaderboard-board = all（总榜）、week（周榜）、month（月榜）或 season（赛季），默认 all
cmd-rank = 查看你的排名、等级和升级进度
cmd-rank-board = all（总榜）、week（周榜）、month（月榜）或 season（赛季），默认 all
cmd-checkin = 今日打卡，保持连续打卡
cmd-shop = 查看可用积分兑换的奖励
cmd-redeem = 用积分兑换商城里的奖励
cmd-redeem-reward = 奖励编号，见 /shop
cmd-badges = 查看已获得和尚未获得的徽章
cmd-link = 关联你在其他平台的账号，一份会员资格处处有效
cmd-link-code = 你在另一个账号上通过 /link 获得的关联码
cmd-grant = 管理员：给成员设置会员等级
cmd-grant-user = 成员，例如 discord:123 或 console:alice
cmd-grant-tier = 等级代号，例如 pro
cmd-grant-days = 持续天数（不填则长期有效）
cmd-revoke = 管理员：立即结束成员的访问权限
cmd-revoke-user = 成员，例如 discord:123 或 console:alice
cmd-award = 管理员：发放（或扣除）积分
cmd-award-user = 成员，例如 discord:123 或 console:alice
cmd-award-points = 积分数量；负数为扣除
cmd-award-reason = 原因，简短说明
cmd-member = 管理员：查看成员状态及其变更记录
cmd-member-user = 成员，例如 discord:123 或 console:alice
cmd-join-code = 邀请你的成员给的推荐码（可选）
cmd-subscribe = 获取会员等级的私人付款链接
cmd-subscribe-tier = 等级代号，例如 pro（不填则列出所有等级）
cmd-subscribe-period = monthly（按月）或 yearly（按年），默认按月
cmd-buy = 获取课程或单节课的私人付款链接
cmd-buy-offer = 商品代号，例如 rust-course
cmd-billing = 管理付款方式、账单和订阅方案
cmd-cancel = 在当前付费周期结束时取消订阅
cmd-invite = 获取你的专属推荐码
cmd-dashboard = 获取本社区管理面板的一次性登录链接（管理员）
cmd-coupon = 管理员：创建结账时使用的优惠码
cmd-coupon-code = 成员结账时输入的代码，例如 SPRING25
cmd-coupon-percent = 折扣百分比（1 到 100）
cmd-coupon-months = 对订阅的前几个月有效（不填则仅首次付款）
cmd-refund = 管理员：退还成员的 Telegram 星星付款
cmd-refund-user = 成员，例如 telegram:456
cmd-refund-payment = 付款的交易编号（见收入账本）

## 回复

help-title = 你在 { $community } 可以使用的命令：
help-creator-title = 创作者命令：
help-admin-title = 管理员命令：
tiers-title = { $community } 的会员等级：
tiers-perks = 权益：{ $perks }
tiers-no-perks = 无权益
tiers-free = 未设置价格
offer-tier_monthly = { $price } / 月
offer-tier_yearly = { $price } / 年
offer-course = 课程：{ $price }
offer-lesson = 单课：{ $price }
joined = 欢迎加入 { $community }！发送 /tiers 查看会员等级，发送 /help 查看可用命令。
joined-already = 你已经是 { $community } 的成员了。
checkout = { $offer }（{ $price }）的付款链接：{ $url }
    付款完成后立即开通。此链接仅供你本人使用。
checkout-trial = { $offer }（{ $price }）的付款链接，含 { $days } 天免费试用：{ $url }
    试用结束前不会扣款。此链接仅供你本人使用。
portal = 在这里管理付款方式、账单和订阅方案：{ $url }
dashboard-link = 你的管理面板登录链接，{ $minutes } 分钟内有效，仅可使用一次：{ $url }
cancel-scheduled = 你的 { $tier } 订阅不会再续费，访问权限保留到 { $until }。
cancel-scheduled-open = 你的 { $tier } 订阅不会再续费。
invite = 你在 { $community } 的推荐码是 { $code }。新成员发送 /join { $code } 即可。你已推荐的成员：{ $referred } 位。
coupon-created = 优惠码 { $code } 已创建：首次付款 { $percent }% 折扣。
coupon-created-months = 优惠码 { $code } 已创建：{ $months } 个月内 { $percent }% 折扣。
refunded = 已向 { $identity } 退款 { $amount }，其购买的访问权限已结束。
me-title = 你在 { $community } 的会员资格
member-title = { $community } 的成员 #{ $id }
field-identities = 账号：{ $identities }
field-tier = 等级：{ $tier }
field-no-tier = 等级：无
field-status = 状态：{ $status }
field-until = 有效期至：{ $until }
field-until-open = 有效期至：长期有效
field-perks = 权益：{ $perks }
field-points = 积分：{ $points }
field-badges = 徽章：{ $badges }
none = 无
history-title = 变更记录（访问权限的由来）：
history-empty = 暂无变更。
history-line = { $at }：{ $from } → { $to }{ $tier }{ $until } — { $cause }{ $actor }
history-by = ，操作者 { $actor }
history-tier = ，等级 { $tier }
history-until = ，有效期至 { $until }
points-summary = 你有 { $balance } 积分。{ $rank ->
        [0] 获得积分即可登上排行榜。
       *[other] 你在排行榜上排第 { $rank } 名。
    }
points-level = 等级 { $level }。
points-recent = 最近记录：
points-recent-line = { $at }：{ $delta } — { $source }：{ $reason }
board-all = 总
board-week = 本周
board-month = 本月
board-season = 本赛季
rank-title = { $name } — { $board }榜
rank-place = 第 { $rank } 名（共 { $of } 人），{ $points } 积分。
rank-unranked = 你还没有上这个榜：获得积分即可上榜。
rank-level = 等级 { $level }：距离 { $next } 级已完成 { $into } / { $needed } 积分。
rank-extra = 余额 { $balance } · 连续打卡 { $streak } 天 · 徽章 { $badges } 枚
card-rank = 第 { $rank } 名 / { $of }
card-unranked = 暂未上榜
card-level = 等级 { $level }
card-progress = 升级进度 { $into } / { $needed }
card-footer = { $balance } 积分 · 连续打卡 { $streak } 天 · { $badges } 枚徽章
checked-in = 打卡成功！+{ $points } 积分。连续打卡 { $streak } 天（最长 { $best } 天）。余额：{ $balance }。
checked-in-badges = 新徽章：{ $badges }
shop-title = 积分商城 — 你有 { $balance } 积分：
shop-empty = 本社群的积分商城还没有奖励。
shop-line = { $key }：{ $name } — { $price } 积分，{ $what }{ $left }
shop-left = （剩余 { $left } 份）
shop-sold-out = （已兑完）
shop-hint = 发送 /redeem <编号> 兑换。
reward-perk = { $perk } 权益 { $days } 天
reward-offer = { $offer }，永久拥有
reward-coupon = { $percent }% 折扣码
redeemed-perk = 已用 { $price } 积分兑换 { $reward }：{ $perk } 有效期至 { $until }。余额：{ $balance }。
redeemed-offer = 已用 { $price } 积分兑换 { $reward }：{ $name } 归你了。余额：{ $balance }。
redeemed-coupon = 已用 { $price } 积分兑换 { $reward }。你的折扣码：{ $code }（{ $percent }% 折扣）。余额：{ $balance }。
redeemed-coupon-pending = 已用 { $price } 积分兑换 { $reward }。你的折扣码 { $code }（{ $percent }% 折扣）将在几分钟内生效；支付服务暂时响应缓慢。余额：{ $balance }。
badge-rule-points = 累计 { $n } 积分
badge-rule-level = 达到 { $n } 级
badge-rule-streak = 连续打卡 { $n } 天
badge-rule-checkins = 累计打卡 { $n } 次
badge-rule-lessons = 完成 { $n } 节课
badge-rule-weekly-top = 某周排名前 { $n }
badge-rule-first-payment = 首次付款
badge-rule-early-supporter = 成为前 { $n } 位付费成员
leaderboard-title = { $board }排行榜，第 { $page } / { $pages } 页：
leaderboard-title-span = { $board }排行榜（{ $from } 至 { $to }），第 { $page } / { $pages } 页：
leaderboard-empty = 还没有人获得积分，快来抢第一！
leaderboard-line = { $rank }. { $name } — { $points } 积分
badges-earned = 你已获得的徽章：
badges-open = 尚未获得：
badges-none-earned = 你还没有获得徽章。
badges-none-configured = 本社群还没有设置徽章。
badge-line = { $name } — { $rule }
link-code = 你的关联码是 { $code }。请在 { $minutes } 分钟内，用另一个平台上的账号发送 /link { $code }。请勿泄露。
linked = 关联成功。以下账号现在共享同一份会员资格：{ $identities }
granted = { $identity } 现在拥有 { $tier }，有效期至 { $until }。
granted-open = { $identity } 现在拥有 { $tier }，长期有效。
revoked = 已结束 { $identity } 的访问权限。
awarded = 已给 { $identity } 发放 { $points } 积分，当前余额 { $balance }。

## 状态与原因

status-none = 非会员
status-trialing = 试用中
status-active = 有效
status-past_due = 付款逾期
status-canceled = 已取消
status-expired = 已过期
cause-join = 加入社群
cause-admin_grant = 管理员授予
cause-admin_revoke = 管理员撤销
cause-expiry = 有效期结束
cause-link = 账号关联
cause-payment = 支付事件

## 拒绝原因

err-unknown-command = 没有 /{ $name } 这个命令。发送 /help 查看可用命令。
err-unknown-option = /{ $command } 没有“{ $option }”这个选项。
err-missing-option = /{ $command } 需要提供 { $option }。发送 /help 查看用法。
err-too-many-arguments = /{ $command } 收到的参数太多了。发送 /help 查看用法。
err-not-an-integer = { $option } 必须是整数，而不是“{ $value }”。
err-integer-out-of-range = { $option } 必须在 { $min } 到 { $max } 之间。
err-text-too-long = { $option } 最多 { $max } 个字符。
err-bad-identity = “{ $input }”不是有效账号。请写成 discord:123、telegram:456 或 console:alice 的形式。
err-not-admin = 只有本社群的管理员才能使用 /{ $command }。
err-unknown-community = 没有名为“{ $slug }”的社群。
err-not-member = 你还不是成员。请先发送 /join。
err-unknown-member = { $identity } 不是本社群的成员。
err-unknown-tier = 没有“{ $key }”这个等级。可用等级：{ $available }。
err-balance-overflow = 这会让积分余额超出可保存的最大值。未做任何更改。
err-nothing-to-revoke = { $identity } 当前没有可结束的访问权限。
err-link-code-invalid = 该关联码无效。请在另一个账号上发送 /link 获取新的关联码。
err-link-code-expired = 该关联码已过期。请在另一个账号上发送 /link 获取新的关联码。
err-link-code-used = 该关联码已被使用。请在另一个账号上发送 /link 获取新的关联码。
err-already-linked = 这些账号已经关联过了。
err-platform-already-linked = 你已经关联了一个 { $platform } 账号；每个平台只能关联一个。
err-bad-code = 该{ $option }无效：只能包含字母、数字和连字符。
err-bad-choice = { $option } 只能是 { $choices } 之一，而不是"{ $value }"。
err-unknown-offer = 没有名为"{ $key }"的商品。可购买：{ $available }。
err-payments-disabled = 本社群尚未开通在线支付，请联系管理员。
err-not-for-sale = { $name } 暂不支持在线购买，请联系管理员。
err-already-subscribed = 你已订阅 { $tier }。请用 /billing 更改方案，以免重复扣款。
err-already-owned = 你已拥有 { $name }，无需再次付款。
err-no-billing-account = 你还没有付款记录。请先使用 /subscribe 或 /buy。
err-dashboard-off = 此服务器未启用管理面板。请运维人员设置 http.public_url 和 http.dashboard_secret。
err-no-subscription = 你没有可以取消的订阅。
err-already-canceling = 你的订阅已设定在 { $until } 结束。
err-billing-refused = 支付服务拒绝了请求：{ $message }
err-billing-unavailable = 暂时无法连接支付服务，未产生任何扣款。请几分钟后再试。
err-referral-invalid = "{ $code }" 不是本社群的推荐码。
err-self-referral = 不能使用自己的推荐码。
err-referral-too-late = 推荐码只能在首次付款前使用，且只能用一次。
err-unknown-payment = 该成员没有编号为"{ $payment }"的 Telegram 星星付款。
err-not-enough-points = 你有 { $balance } 积分，不够。未做任何更改。
err-award-too-large = 单次奖励或扣除最多 { $max } 积分，且不能为零。未做任何更改。
err-already-checked-in = 你今天已经打卡了（连续 { $streak } 天）。明天再来吧。
err-unknown-reward = 积分商城里没有“{ $key }”。可兑换：{ $available }。
err-out-of-stock = “{ $name }”已兑完。未做任何更改。
err-unknown-board = 没有“{ $input }”这个排行榜。可选：all、week、month、season（总榜、周榜、月榜、赛季）。
err-internal = 我们这边出了点问题，未做任何更改。请稍后再试。

## 通过发件箱投递的消息

notice-access-granted = 你在 { $community } 获得了 { $tier }，有效期至 { $until }。
notice-access-granted-open = 你在 { $community } 获得了 { $tier }。
notice-access-ended = 你在 { $community } 的 { $tier } 访问权限已结束。
telegram-invite = 你的 { $perk } 专属邀请链接：{ $link } 打开后申请加入，会立即通过。
telegram-start-me = 我有一条只发给你的回复：请私聊我并点击"开始"，然后再发送一次命令。
telegram-guide-rights = Lyceum 无法管理付费群 { $chat }：请把机器人设为该群管理员，并开启这些权限：{ $rights }。
stars-invoice = ⭐ { $title }：{ $stars } 颗星。在这里付款：{ $link }
discord-guide-manage-roles = Lyceum 无法授予或移除身份组：请在"服务器设置 → 身份组"中为它的身份组开启"管理身份组"权限。
discord-guide-role-order = Lyceum 无法管理身份组"{ $role }"：请在"服务器设置 → 身份组"中把"{ $bot_role }"拖到"{ $role }"之上。
discord-guide-role-missing = 为权益"{ $perk }"配置的身份组 { $role } 已不存在于本服务器；请创建它并更新配置。
notice-payment-failed = 你在 { $community } 的 { $tier } 最近一次付款未成功。重试期间你的访问权限保留到 { $until }；发送 /billing 更新付款方式。
notice-payment-failed-link = 你在 { $community } 的 { $tier } 最近一次付款未成功。重试期间你的访问权限保留到 { $until }。在这里更新付款方式：{ $url }
notice-renewal-reminder = 你在 { $community } 的 { $tier } 访问权限将于 { $until } 结束且不会续费（还剩 { $days } 天）。发送 /subscribe 继续订阅。
notice-points-awarded = 你在 { $community } 获得 { $points } 积分，原因：{ $reason }。余额：{ $balance }。
notice-badge-earned = 你在 { $community } 获得新徽章：{ $badge }！
notice-level-up = 你在 { $community } 升到了 { $level } 级！
effect-grant-perk = 已授予权益：{ $perk }（{ $community }）
effect-revoke-perk = 已移除权益：{ $perk }（{ $community }）

## 控制台

console-welcome = Lyceum 控制台 — 你是 { $community } 中的 { $identity }。输入 /help，结束输入即可退出。

## 课程与课时

cmd-lesson = 创作者：发布、修改或删除课时
cmd-lesson-post = 创作者：发布课时并设定谁能阅读；课时卡片会发到课程频道
cmd-lesson-post-lesson = 课时的简短键名，例如 intro-to-async
cmd-lesson-post-title = 课时标题
cmd-lesson-post-body = 课时全文（文字与链接）
cmd-lesson-post-tier = 包含此课时的最低等级，例如 pro
cmd-lesson-post-price = 单独出售的价格，例如 9.99
cmd-lesson-post-stars = 在 Telegram 以多少星星（Stars）出售
cmd-lesson-post-points = 可用多少积分解锁
cmd-lesson-post-opens = 成员加入 N 天后开放，或在某日开放（2026-12-01）
cmd-lesson-post-course = 所属课程
cmd-lesson-post-teaser = 解锁前所有人可见的预览
cmd-lesson-post-attachment = 附加链接，例如讲义或录像
cmd-lesson-edit = 创作者：修改课时，卡片随之更新
cmd-lesson-edit-lesson = 课时键名
cmd-lesson-edit-body = 新的课时正文
cmd-lesson-edit-title = 新标题
cmd-lesson-edit-tier = 包含此课时的最低等级（none 表示不限等级）
cmd-lesson-edit-price = 新价格（0 表示不再单独出售）
cmd-lesson-edit-stars = 新的星星价格（0 表示不再用星星出售）
cmd-lesson-edit-points = 解锁所需积分（0 表示不可用积分）
cmd-lesson-edit-opens = 加入后天数、日期或 none
cmd-lesson-edit-course = 所属课程（none 表示不属于课程）
cmd-lesson-edit-teaser = 解锁前可见的预览（none 表示只显示标题）
cmd-lesson-edit-attachment = 附加链接（none 表示移除）
cmd-lesson-remove = 创作者：删除课时及其卡片
cmd-lesson-remove-lesson = 课时键名
cmd-lessons = 列出课时以及你能阅读哪些
cmd-unlock = 阅读课时，或查看解锁方式
cmd-unlock-lesson = 课时键名，见 /lessons
cmd-unlock-with = points 用积分解锁，buy 付费购买
cmd-course = 列出课程，或查看某课程的课时
cmd-course-course = 课程键名（留空则列出全部课程）
cmd-progress = 查看各课程的学习进度
cmd-complete = 标记课时已完成并获得积分
cmd-complete-lesson = 课时键名

err-not-creator = 只有本社群的创作者可以使用 /{ $command }。
err-bad-lesson-key = “{ $key }”不能作为课时键名：请使用小写字母、数字和短横线，例如 intro-to-async。
err-unknown-lesson = 没有“{ $key }”这个课时。现有课时：{ $available }。
err-lesson-removed = 课时“{ $title }”已被创作者删除。
err-lesson-exists = 已有键名为“{ $key }”的课时（或商品）；请换一个键名，或使用 /lesson edit。
err-unknown-course = 没有“{ $key }”这门课程。现有课程：{ $available }。
err-bad-price = “{ $input }”不是 { $currency } 价格：请写成 9.99 这样的格式，或写 0 表示不定价。
err-bad-opens = “{ $input }”既不是天数，也不是 2026-12-01 这样的日期。
err-opens-in-past = { $date } 已经过去；请选择之后的日期，或加入后的天数。
err-opens-too-late = 课时最多只能设定在 { $max_days } 天后开放。
err-bad-attachment = “{ $input }”不是网页链接（http 或 https）。
err-not-open-yet = “{ $title }”将于 { $opens } 对你开放。
err-not-for-points = “{ $title }”不能用积分解锁。
err-already-unlocked = 你已经可以阅读“{ $title }”：直接发送 /unlock 即可阅读。
err-not-unlocked = 你还没有解锁“{ $title }”；发送 /unlock 查看解锁方式。
err-already-completed = 你已经完成了“{ $title }”。
err-nothing-to-edit = 请说明要修改什么，例如 /lesson edit intro title="新标题"。

lesson-posted = 课时 { $key } 已发布：“{ $title }”。卡片正在发送到 { $channels } 个频道。
lesson-edited = 课时 { $key } 已更新：“{ $title }”。{ $channels } 个频道的卡片正在更新。
lesson-removed = 课时“{ $title }”已删除，卡片正在撤下。
lesson-unlocked-points = 已用 { $points } 积分解锁。余额：{ $balance }。
lesson-attachments = 附件：{ $links }
lesson-done-already = ✅ 你已完成本课时。
lesson-complete-hint = 学完了？发送 /complete { $key } 记录进度并获得积分。
lesson-locked = 🔒 “{ $title }”尚未对你开放。
lesson-no-way = 你的会员等级不包含此课时，它也不单独出售。
lesson-ways = 解锁方式：
unlock-way-tier = 加入 { $tier } 或更高等级：/subscribe { $key }
unlock-way-buy = 以 { $price } 单独购买：/unlock { $key } buy
unlock-way-course = 以 { $price } 购买课程 { $course }：/buy { $offer }
unlock-way-points = 花费 { $cost } 积分（你有 { $balance }）：/unlock { $key } points
lesson-state-open = 可阅读
lesson-state-done = 已完成
lesson-state-locked = 未解锁
lesson-state-opens = { $date } 开放
lessons-none = 还没有发布任何课时。
lessons-title = 课时：
lessons-loose = 其他课时：
course-line = { $name }（{ $key }）：已完成 { $done }/{ $total }
courses-none = 还没有课程。
courses-title = 课程：
course-empty = 本课程还没有课时。
course-ways = 获取整门课程：
progress-title = 你已完成 { $total } 个课时中的 { $done } 个。
lesson-completed = ✅ 已完成“{ $title }”。+{ $points } 积分，余额 { $balance }。
card-tier = { $tier } 及以上
card-price = { $price }
card-points = { $points } 积分
card-free = 成员免费
card-opens = { $date } 开放。
card-drip = 加入 { $days } 天后开放。
card-unlock = 点击“解锁”，或发送 /unlock { $key }。
card-button = 解锁
card-edited = （卡片已更新：{ $messages }）
card-removed = 卡片已撤下：{ $messages }

## 推荐、问答与精华

cmd-next = 推荐接下来要学的课时
cmd-ask = 向创作者提问
cmd-ask-question = 你的问题
cmd-questions = 创作者：列出待回答的问题
cmd-answer = 创作者：回答成员的问题
cmd-answer-question = 问题编号，见 /questions
cmd-answer-answer = 你的回答
cmd-digest = 查看社群精华
cmd-highlight = 管理员：把课时、已回答的问题（#12）或消息链接加入精华
cmd-highlight-item = 课时键名、#12（第 12 号问题）或消息链接
cmd-highlight-note = 推荐理由（可选）
cmd-unhighlight = 管理员：把一条精华移出精华列表
cmd-unhighlight-highlight = 精华编号，见 /digest

err-unknown-question = 这里没有第 { $id } 号问题。
err-already-answered = 第 { $id } 号问题已经回答过了。
err-not-answered = 第 { $id } 号问题还没有回答；请先回答再加入精华。
err-unknown-highlight = 精华列表中没有 [{ $id }]。
err-bad-highlight = “{ $item }”不是课时键名、#12 这样的问题编号，也不是网页链接。

next-none = 没有可推荐的课时了：你已全部学完，或还没有发布课时。
next-personal = 根据学习相似课时的成员为你推荐：
next-popular = 成员学得最多的课时：
question-asked = 你的第 { $id } 号问题已发给创作者；回答会私信发给你。
question-paid = 花费 { $points } 积分；余额 { $balance }。
questions-none = 没有待回答的问题。
questions-title = 待回答的问题：
questions-hint = 用 /answer <编号> <回答> 来回答。
question-answered = 第 { $id } 号问题已回答，正在通知提问者。
digest-none = 还没有精华。
digest-title = 精华：
highlighted = 已加入精华，编号 [{ $id }]。
unhighlighted = 精华 [{ $id }] 已移出。
notice-new-question = { $community } 有新问题 #{ $id }，来自 { $asker }：{ $question } —— 用 /answer { $id } … 回答
notice-question-answered = 你在 { $community } 的第 { $id } 号问题有了回答。
    问：{ $question }
    答：{ $answer }
