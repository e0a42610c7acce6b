/**
 * Groups around Google Search: Alerts, Discover, Saved, Search contributions (`search_ugc.*`) and the
 * Search app's notifications. Takeout's own layouts where it has them (Saved's CSV lists), otherwise JSON
 * arrays of plain records with RFC 3339 times.
 */
import { JSON_ARRAY, csv, listFile, objectFile, settingsChangedMs, windowFile, type GroupContext, type GroupSpec } from './group-spec.js';
import { placePool, queryParam, searchQuery, userProfile } from './entities.js';
import { Rng, mix32, rfc3339 } from './timeline.js';
import { ARTISTS, COMMENT_PHRASES, MOVIES, QUERY_SUBJECTS, SHOWS, SITES, VIDEO_TOPICS } from './vocab.js';

const alerts: GroupSpec = {
  spanDays: 6 * 365,
  shape: 'list',
  files(ctx) {
    const { email, homeCity } = userProfile(ctx.userSeed);
    return [
      listFile(ctx, 'Alerts/alerts.json', JSON_ARRAY, (_k, ms, rng) => ({
        query: rng.chance(0.5) ? rng.pick(QUERY_SUBJECTS) : `"${rng.pick(VIDEO_TOPICS)}" ${homeCity.name}`,
        frequency: rng.pick(['As-it-happens', 'At most once a day', 'At most once a week']),
        sources: rng.pick(['Automatic', 'News', 'Blogs', 'Web']),
        language: 'English',
        region: rng.chance(0.6) ? 'Any region' : homeCity.country,
        howMany: rng.pick(['Only the best results', 'All results']),
        deliverTo: rng.chance(0.9) ? email : 'RSS feed',
        createTime: rfc3339(ms),
      })),
    ];
  },
};

interface Story {
  readonly title: string;
  readonly url: string;
  readonly source: string;
}

function story(rng: Rng): Story {
  const site = rng.pick(SITES);
  const topic = rng.pick(VIDEO_TOPICS);
  return {
    title: rng.pick([`The rise of ${topic}`, `What ${topic} teaches us`, `${topic}: a beginner's guide`, `Why everyone is talking about ${topic}`]),
    url: `https://${site.host}${rng.pick(site.paths)}`,
    source: site.name,
  };
}

const follows: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, 'Discover/Follows.json', JSON_ARRAY, (_k, ms, rng) => {
        if (rng.chance(0.6)) {
          const topic = rng.pick(VIDEO_TOPICS);
          return { title: topic, type: 'TOPIC', url: `https://www.google.com/search?q=${queryParam(topic)}`, followTime: rfc3339(ms) };
        }
        const site = rng.pick(SITES);
        return { title: site.name, type: 'SITE', url: `https://${site.host}/`, followTime: rfc3339(ms) };
      }),
    ];
  },
};

const likes: GroupSpec = {
  spanDays: 2 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, 'Discover/Likes.json', JSON_ARRAY, (_k, ms, rng) => {
        const s = story(rng);
        return { title: s.title, url: s.url, source: s.source, likeTime: rfc3339(ms) };
      }),
    ];
  },
};

const notInterested: GroupSpec = {
  spanDays: 2 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, 'Discover/Not interested.json', JSON_ARRAY, (_k, ms, rng) => {
        const s = story(rng);
        const reason = rng.pick(['Not interested in this story', `Don't show content from ${s.source}`, 'Not interested in this topic']);
        return { title: s.title, url: s.url, source: s.source, reason, time: rfc3339(ms) };
      }),
    ];
  },
};

const SAVED_COLUMNS = ['Title', 'Note', 'URL', 'Tags', 'Comment'];

const savedCollections: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    const places = placePool(ctx.seed, userProfile(ctx.userSeed));
    // The group's records are shared between its three lists: a quarter each to Want to go and Links.
    const secondary = Math.floor(ctx.window.count / 4);
    const place = (rng: Rng): Record<string, string> => {
      const p = places.pick(rng);
      return { Title: p.name, Note: rng.chance(0.1) ? 'Go with Eva' : '', URL: p.placeUrl, Tags: '', Comment: '' };
    };
    return [
      windowFile(ctx.window.newest(ctx.window.count - 2 * secondary), 'Saved/Favorite places.csv', csv(SAVED_COLUMNS), (_k, _ms, rng) => place(rng)),
      windowFile(ctx.subWindow('want-to-go', 2 * 365, secondary), 'Saved/Want to go.csv', csv(SAVED_COLUMNS), (_k, _ms, rng) => place(rng)),
      windowFile(ctx.subWindow('links', 2 * 365, secondary), 'Saved/Links.csv', csv(SAVED_COLUMNS), (_k, _ms, rng) => {
        const s = story(rng);
        return { Title: s.title, Note: '', URL: s.url, Tags: rng.chance(0.3) ? 'read later' : '', Comment: '' };
      }),
    ];
  },
};

const ugcComments: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, 'Search Contributions/Comments.json', JSON_ARRAY, (_k, ms, rng) => {
        const q = searchQuery(rng);
        return {
          text: rng.pick(COMMENT_PHRASES),
          topic: q,
          url: `https://www.google.com/search?q=${queryParam(q)}`,
          createTime: rfc3339(ms),
        };
      }),
    ];
  },
};

/** A movie or show: what a Search contribution's `Search Query` names. */
function mediaTitle(rng: Rng): string {
  return rng.chance(0.6) ? rng.pick(MOVIES) : rng.pick(SHOWS);
}

const STAR_RATINGS = ['One star', 'Two stars', 'Three stars', 'Four stars', 'Five stars'];

/**
 * Search contributions as Google exports them: JSON arrays of objects keyed `Published`, `Search Query`, the
 * rating, and `Updated` when the contribution was changed later.
 */
function updated(ctx: GroupContext, ms: number, rng: Rng): { Updated?: string } {
  return rng.chance(0.3) ? { Updated: rfc3339(Math.min(ctx.nowMs, ms + rng.between(1, 60) * 86_400_000)) } : {};
}

const mediaReviews: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, 'Search Contributions/Reviews.json', JSON_ARRAY, (_k, ms, rng) => {
        const comment = rng.chance(0.4)
          ? rng.pick(['Loved it.', 'Slow start, great ending.', 'Not for me.', 'Beautifully shot.', 'Worth a rewatch.'])
          : undefined;
        return {
          Published: rfc3339(ms),
          'Search Query': mediaTitle(rng),
          'Review Star Rating': rng.pick(STAR_RATINGS),
          ...(comment ? { 'Review Comment': comment } : {}),
          ...updated(ctx, ms, rng),
        };
      }),
    ];
  },
};

const PROVIDERS = ['Netflix', 'Disney+', 'Prime Video', 'Apple TV+', 'YouTube Premium', 'Videoland', 'Canal+', 'RaiPlay', 'SVT Play', 'Mubi'];

/** The streaming services you told Search you use: `[{"Published": ..., "Provider Name": ...}]`. */
const streamingProviders: GroupSpec = {
  spanDays: 365,
  shape: 'single',
  files(ctx) {
    const rng = new Rng(mix32(ctx.seed, 0x73657474));
    const changed = settingsChangedMs(ctx);
    const chosen = PROVIDERS.filter(() => rng.chance(0.35));
    const providers = (chosen.length > 0 ? chosen : [PROVIDERS[0]!]).map((name, i) => ({
      Published: rfc3339(changed - i * 86_400_000),
      'Provider Name': name,
    }));
    return [{ kind: 'records', path: 'Search Contributions/Streaming video providers.json', format: JSON_ARRAY, records: providers, count: providers.length }];
  },
};

const thumbs: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, 'Search Contributions/Thumbs.json', JSON_ARRAY, (_k, ms, rng) => ({
        Published: rfc3339(ms),
        'Search Query': rng.chance(0.8) ? mediaTitle(rng) : rng.pick(ARTISTS),
        'Thumbs Rating': rng.chance(0.75) ? 'Thumbs Up' : 'Thumbs Down',
        ...updated(ctx, ms, rng),
      })),
    ];
  },
};

const watched: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, 'Search Contributions/Watched.json', JSON_ARRAY, (_k, ms, rng) => ({
        Published: rfc3339(ms),
        'Search Query': mediaTitle(rng),
      })),
    ];
  },
};

const notificationSettings: GroupSpec = {
  spanDays: 365,
  shape: 'single',
  files(ctx) {
    const rng = new Rng(mix32(ctx.seed, 0x73657474));
    return [
      objectFile('Google Search Notifications/Settings.json', {
        notificationsEnabled: rng.chance(0.8),
        categories: [
          { name: 'Sports', enabled: rng.chance(0.5) },
          { name: 'Weather', enabled: rng.chance(0.7) },
          { name: 'Stocks', enabled: rng.chance(0.2) },
          { name: 'Trending searches', enabled: rng.chance(0.3) },
          { name: 'Recommendations', enabled: rng.chance(0.4) },
        ],
        quietHours: { enabled: rng.chance(0.5), start: '22:00', end: '07:00' },
        updateTime: rfc3339(settingsChangedMs(ctx)),
      }),
    ];
  },
};

const TEAMS = ['Ajax', 'FC Barcelona', 'Bayern München', 'Benfica', 'Juventus', 'PSG', 'Celtic', 'Rapid Wien'];
const STOCKS = ['GOOGL', 'ASML', 'SAP', 'NOVO-B', 'MC.PA', 'ADYEN'];

const notificationSubscriptions: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    const { homeCity } = userProfile(ctx.userSeed);
    return [
      listFile(ctx, 'Google Search Notifications/Subscriptions.json', JSON_ARRAY, (_k, ms, rng) => {
        const r = rng.float();
        const [type, topic] =
          r < 0.35
            ? ['SPORTS_TEAM', rng.pick(TEAMS)]
            : r < 0.55
              ? ['WEATHER', homeCity.name]
              : r < 0.7
                ? ['STOCK', rng.pick(STOCKS)]
                : ['TOPIC', rng.pick(VIDEO_TOPICS)];
        return { topic, type, enabled: rng.chance(0.85), createTime: rfc3339(ms) };
      }),
    ];
  },
};

export const searchGroups: Readonly<Record<string, GroupSpec>> = {
  'alerts.subscriptions': alerts,
  'discover.follows': follows,
  'discover.likes': likes,
  'discover.not_interested': notInterested,
  'saved.collections': savedCollections,
  'search_ugc.comments': ugcComments,
  'search_ugc.media.reviews_and_stars': mediaReviews,
  'search_ugc.media.streaming_video_providers': streamingProviders,
  'search_ugc.media.thumbs': thumbs,
  'search_ugc.media.watched': watched,
  'searchnotifications.settings': notificationSettings,
  'searchnotifications.subscriptions': notificationSubscriptions,
};
