-- Who set a server up: the admin the bot tells about problems it cannot show in the channel
-- (a channel it may not post in, a question pool running low).
alter table servers add column admin_user_id bigint;
-- The rotation cycle in which admins were last told the pool is running low, so they are told
-- once per cycle rather than every day.
alter table servers add column low_pool_warned_cycle integer;
