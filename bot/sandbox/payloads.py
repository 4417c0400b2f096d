"""The world's objects as the dicts Discord API v10 sends (ids as strings), shaped after what discord.py's
parsers read."""

from __future__ import annotations

from datetime import datetime

from bot.sandbox.protocol import JSON
from bot.sandbox.state import GUILD_VOICE, Attachment, Channel, Guild, Member, Role, User


def iso(dt: datetime) -> str:
    """Discord's timestamp format (ISO 8601, UTC offset spelled out)."""
    return dt.isoformat()


def user_payload(user: User) -> JSON:
    return {
        "id": str(user.id),
        "username": user.username,
        "discriminator": "0",
        "global_name": user.global_name,
        "avatar": None,
        "bot": user.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
    }


def self_user_payload(user: User) -> JSON:
    return {**user_payload(user), "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"}


def role_payload(role: Role) -> JSON:
    return {
        "id": str(role.id),
        "name": role.name,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }


def channel_payload(channel: Channel, users: dict[int, User] | None = None) -> JSON:
    data: JSON = {
        "id": str(channel.id),
        "type": channel.type,
        "name": channel.name,
        "flags": 0,
        "last_message_id": str(channel.last_message_id) if channel.last_message_id else None,
    }
    if channel.guild_id is not None:
        data.update(
            {
                "guild_id": str(channel.guild_id),
                "position": channel.position,
                "permission_overwrites": [
                    {"id": str(ow.id), "type": ow.type, "allow": str(ow.allow), "deny": str(ow.deny)}
                    for ow in channel.overwrites
                ],
                "parent_id": str(channel.parent_id) if channel.parent_id else None,
                "topic": channel.topic,
                "nsfw": channel.nsfw,
                "rate_limit_per_user": 0,
            }
        )
        if channel.type == GUILD_VOICE:
            # discord.py reads these from every voice channel it is told about.
            data.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None})
    else:
        known = users or {}
        data["recipients"] = [user_payload(known[uid]) for uid in channel.recipient_ids if uid in known]
    return data


def member_payload(member: Member, user: User, *, permissions: int | None = None, with_user: bool = True) -> JSON:
    data: JSON = {
        "roles": [str(r) for r in member.roles],
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "joined_at": iso(member.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user_payload(user)
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def attachment_payload(attachment: Attachment, base_url: str, channel_id: int) -> JSON:
    url = f"{base_url}/attachments/{channel_id}/{attachment.id}/{attachment.filename}"
    data: JSON = {
        "id": str(attachment.id),
        "filename": attachment.filename,
        "size": len(attachment.data),
        "url": url,
        "proxy_url": url,
        "content_type": attachment.content_type,
    }
    if attachment.description is not None:
        data["description"] = attachment.description
    return data


def guild_payload(guild: Guild) -> JSON:
    """The guild object of REST reads (no members or channels)."""
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": [role_payload(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": guild.locale,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "max_members": 500000,
        "max_video_channel_users": 25,
    }


def scheduled_event_payload(event_id: int, guild: Guild, creator: User, body: JSON) -> JSON:
    """A scheduled event as Discord stores it, from the fields a create request carries."""
    return {
        "id": str(event_id),
        "guild_id": str(guild.id),
        "channel_id": body.get("channel_id"),
        "creator_id": str(creator.id),
        "creator": user_payload(creator),
        "name": body.get("name"),
        "description": body.get("description"),
        "scheduled_start_time": body.get("scheduled_start_time"),
        "scheduled_end_time": body.get("scheduled_end_time"),
        "privacy_level": body.get("privacy_level", 2),
        "status": 1,
        "entity_type": body.get("entity_type"),
        "entity_id": None,
        "entity_metadata": body.get("entity_metadata"),
        "user_count": 0,
        "image": None,
        "recurrence_rule": body.get("recurrence_rule"),
    }
