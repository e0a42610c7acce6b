/**
 * YouTube groups, in Takeout's `YouTube and YouTube Music/` folder: CSV files with Takeout's column names and
 * its `2023-09-19T17:42:53.434647+00:00` timestamps. Takeout has one `playlists/playlists.csv` and one
 * `video metadata/videos.csv`; the Data Portability API splits them into groups by visibility, and one
 * archive may hold all of them. Each of those groups therefore keeps Google's own file names and tree
 * (`playlists/playlists.csv`, `video metadata/videos.csv`, `video texts.csv`, `video recordings.csv`) below a
 * folder of its own (`public videos/`, `private playlists/`, ...), so no two groups share a path and a reader
 * that looks for Takeout's names by their ending finds them in each.
 */
import { JSON_ARRAY, bytesFile, csv, listFile, settingsChangedMs, windowFile, type GroupContext, type GroupSpec } from './group-spec.js';
import { channelPool, commentId, euros, makePlace, userProfile, videoPool, videoTitle, type Video } from './entities.js';
import { recordJpeg } from './jpeg.js';
import { Rng, mix32, rfc3339, rfc3339Micros, type Pool } from './timeline.js';
import { ARTISTS, BASE64URL, CITIES, COMMENT_PHRASES, MERCHANTS, PRODUCTS, SONGS, VIDEO_TOPICS } from './vocab.js';

const ROOT = 'YouTube and YouTube Music';

function watchedVideos(ctx: GroupContext): Pool<Video> {
  return videoPool(ctx.userSeed, channelPool(ctx.userSeed));
}

/** Takeout wraps user text in a JSON document of segments. */
function segments(text: string): string {
  return JSON.stringify({ takeoutSegments: [{ text }] });
}

const channel: GroupSpec = {
  spanDays: 365,
  shape: 'single',
  files(ctx) {
    const profile = userProfile(ctx.userSeed);
    const rng = new Rng(mix32(ctx.seed, 0x6368616e));
    const handle = `@${profile.firstName}${profile.lastName}`.toLowerCase().replace(/[^@a-z0-9]/g, '');
    return [
      {
        kind: 'records',
        path: `${ROOT}/channels/channel.csv`,
        format: csv(['Channel ID', 'Channel Title (Original)', 'Channel Visibility', 'Channel Country', 'Channel Create Timestamp']),
        records: [
          {
            'Channel ID': profile.channelId,
            'Channel Title (Original)': profile.channelTitle,
            'Channel Visibility': rng.chance(0.8) ? 'Public' : 'Private',
            'Channel Country': profile.homeCity.countryCode,
            'Channel Create Timestamp': rfc3339Micros(Math.min(ctx.nowMs, profile.createdMs), rng.int(1000)),
          },
        ],
        count: 1,
      },
      {
        kind: 'records',
        path: `${ROOT}/channels/channel URL configs.csv`,
        format: csv(['Channel ID', 'Channel Handle', 'Channel URL', 'Update Timestamp']),
        records: [
          {
            'Channel ID': profile.channelId,
            'Channel Handle': handle,
            'Channel URL': `https://www.youtube.com/${handle}`,
            'Update Timestamp': rfc3339Micros(settingsChangedMs(ctx), rng.int(1000)),
          },
        ],
        count: 1,
      },
    ];
  },
};

const comments: GroupSpec = {
  spanDays: 2 * 365,
  shape: 'list',
  files(ctx) {
    const videos = watchedVideos(ctx);
    const { channelId } = userProfile(ctx.userSeed);
    return [
      listFile(
        ctx,
        `${ROOT}/comments/comments.csv`,
        csv(['Comment ID', 'Channel ID', 'Comment Create Timestamp', 'Price', 'Parent Comment ID', 'Video ID', 'Comment Text']),
        (_k, ms, rng) => {
          const reply = rng.chance(0.25);
          const parent = reply ? commentId(rng) : '';
          return {
            'Comment ID': reply ? `${parent}.${rng.chars(BASE64URL, 22)}` : commentId(rng),
            'Channel ID': channelId,
            'Comment Create Timestamp': rfc3339Micros(ms, rng.int(1000)),
            Price: '0',
            'Parent Comment ID': parent,
            'Video ID': videos.pick(rng).id,
            'Comment Text': segments(rng.pick(COMMENT_PHRASES)),
          };
        },
      ),
    ];
  },
};

const liveChat: GroupSpec = {
  spanDays: 365,
  shape: 'list',
  files(ctx) {
    const videos = watchedVideos(ctx);
    const { channelId } = userProfile(ctx.userSeed);
    const messages = ['hello from Berlin!', 'lol', 'great stream', 'first time catching this live', 'what song is this?', '❤️', 'GG'];
    return [
      listFile(
        ctx,
        `${ROOT}/live chats/live chats.csv`,
        csv(['Live Chat ID', 'Channel ID', 'Live Chat Create Timestamp', 'Price', 'Video ID', 'Live Chat Text']),
        (_k, ms, rng) => {
          const superChat = rng.chance(0.03);
          return {
            'Live Chat ID': `Ugw${rng.chars(BASE64URL, 20)}AaABDqgB${rng.chars(BASE64URL, 6)}`,
            'Channel ID': channelId,
            'Live Chat Create Timestamp': rfc3339Micros(ms, rng.int(1000)),
            Price: superChat ? euros(rng.pick([200, 500, 1000])) : '0',
            'Video ID': videos.pick(rng).id,
            'Live Chat Text': segments(rng.pick(messages)),
          };
        },
      ),
    ];
  },
};

const clips: GroupSpec = {
  spanDays: 2 * 365,
  shape: 'list',
  files(ctx) {
    const videos = watchedVideos(ctx);
    const { channelId } = userProfile(ctx.userSeed);
    return [
      listFile(
        ctx,
        `${ROOT}/clips/clips.csv`,
        csv(['Clip ID', 'Channel ID', 'Video ID', 'Clip Title', 'Clip Start Time (ms)', 'Clip End Time (ms)', 'Clip Create Timestamp', 'Clip Visibility']),
        (_k, ms, rng) => {
          const video = videos.pick(rng);
          const start = rng.int(Math.max(1, video.durationMs - 60_000));
          return {
            'Clip ID': `Ugk${rng.chars(BASE64URL, 33)}`,
            'Channel ID': channelId,
            'Video ID': video.id,
            'Clip Title': `${video.title.slice(0, 40)} (best part)`,
            'Clip Start Time (ms)': start,
            'Clip End Time (ms)': start + rng.between(5, 60) * 1000,
            'Clip Create Timestamp': rfc3339Micros(ms, rng.int(1000)),
            'Clip Visibility': rng.pick(['Public', 'Unlisted', 'Private']),
          };
        },
      ),
    ];
  },
};

const music: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx) {
    // A tenth of the group's records are uploads, the rest library songs.
    const uploadCount = Math.floor(ctx.window.count / 10);
    const uploads = ctx.subWindow('uploads', 3 * 365, uploadCount);
    const artist = userProfile(ctx.userSeed).fullName;
    return [
      windowFile(
        ctx.window.newest(ctx.window.count - uploadCount),
        `${ROOT}/music (library and uploads)/music library songs.csv`,
        csv(['Video ID', 'Song Title', 'Album Title', 'Artist Name 1']),
        (_k, _ms, rng) => {
          const song = rng.pick(SONGS);
          return {
            'Video ID': rng.chars(BASE64URL, 11),
            'Song Title': song,
            'Album Title': rng.chance(0.7) ? `${rng.pick(SONGS)} (Deluxe)` : song,
            'Artist Name 1': rng.pick(ARTISTS),
          };
        },
      ),
      windowFile(
        uploads,
        `${ROOT}/music (library and uploads)/music uploads metadata.csv`,
        csv(['Song Title', 'Album Title', 'Artist Name', 'Duration (ms)', 'Upload Timestamp']),
        (_k, ms, rng) => ({
          'Song Title': `${rng.pick(SONGS)} (demo)`,
          'Album Title': 'Home recordings',
          'Artist Name': artist,
          'Duration (ms)': rng.between(90, 400) * 1000,
          'Upload Timestamp': rfc3339Micros(ms, rng.int(1000)),
        }),
      ),
    ];
  },
};

const GAMES = ['Bubble Harbour', 'Word Garden', 'Tiny Trains', 'Sudoku Daily', 'Cat Cafe Tycoon', 'Stack the Blocks'];

const playable: GroupSpec = {
  spanDays: 180,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${ROOT}/playables/saved game progress.json`, JSON_ARRAY, (k, ms, rng) => {
        const game = GAMES[k % GAMES.length]!;
        return {
          gameId: `playable-${game.toLowerCase().replace(/ /g, '-')}`,
          gameTitle: game,
          saveTime: rfc3339(ms),
          progress: { level: rng.between(1, 250), score: rng.int(1_000_000), coins: rng.int(5000) },
        };
      }),
    ];
  },
};

const posts: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx) {
    const { channelId } = userProfile(ctx.userSeed);
    return [
      listFile(ctx, `${ROOT}/posts/posts.csv`, csv(['Post ID', 'Channel ID', 'Post Create Timestamp', 'Post Visibility', 'Post Text']), (_k, ms, rng) => ({
        'Post ID': `Ugk${rng.chars(BASE64URL, 33)}`,
        'Channel ID': channelId,
        'Post Create Timestamp': rfc3339Micros(ms, rng.int(1000)),
        'Post Visibility': 'Public',
        'Post Text': segments(
          `New video about ${rng.pick(VIDEO_TOPICS)} is up! ${rng.pick(['Thanks for watching.', 'Let me know what you think.', 'Next week: part 2.'])}`,
        ),
      })),
    ];
  },
};

type Visibility = 'Private' | 'Public' | 'Unlisted';

/** Titles per visibility, so the three groups' playlists read differently. */
const PLAYLIST_TITLES: Record<Visibility, readonly string[]> = {
  Private: ['Watch later (old)', 'Sleep sounds', 'Workout mix', 'Recipes to try', 'Kids evening', 'Tutorials queue', 'Road trip'],
  Public: ['Best of woodworking', 'Chess lessons', 'Bike repair guides', 'Sourdough journey', 'Favourite live sets', 'Travel vlogs', 'Synth jams'],
  Unlisted: ['Wedding clips', 'Family 2019', 'Drafts for review', 'Band rehearsal', 'School project', 'Team offsite', 'Holiday Lisbon'],
};

/** `playlists.csv`'s columns, as a real Takeout (2024) writes them. */
const PLAYLIST_COLUMNS = [
  'Playlist ID',
  'Add new videos to top',
  'Playlist Description (Original)',
  'Playlist Title (Original)',
  'Playlist Title (Original) Language',
  'Playlist Create Timestamp',
  'Playlist Update Timestamp',
  'Playlist Video Order',
  'Playlist Visibility',
] as const;

/** Per-playlist item files only for the newest few playlists: the playlist list itself has them all. */
const PLAYLISTS_WITH_ITEMS = 3;

function playlistGroup(visibility: Visibility): GroupSpec {
  const titles = PLAYLIST_TITLES[visibility];
  // k * 3 modulo 7 titles: consecutive playlists never share a title (3 and 7 are coprime).
  const titleOf = (k: number): string => titles[(k * 3) % titles.length]!;
  const folder = `${ROOT}/${visibility.toLowerCase()} playlists/playlists`;
  return {
    spanDays: 6 * 365,
    shape: 'list',
    files(ctx) {
      const videos = watchedVideos(ctx);
      const idOf = (k: number): string => `PL${new Rng(mix32(ctx.seed, k)).chars(BASE64URL, 32)}`;
      // The group's records are its playlists and the items of the newest few: items take at most half.
      const withItems = ctx.window.newest(PLAYLISTS_WITH_ITEMS);
      let itemBudget = Math.max(0, Math.floor(ctx.window.count / 2) - withItems.count);
      const sizes = [
        ...withItems.map((k) => {
          const size = Math.min(itemBudget, new Rng(mix32(ctx.seed ^ 0x73697a65, k)).between(3, 40));
          itemBudget -= size;
          return { k, size };
        }),
      ];
      const itemCount = sizes.reduce((n, s) => n + s.size, 0);
      const list = windowFile(ctx.window.newest(ctx.window.count - itemCount), `${folder}/playlists.csv`, csv(PLAYLIST_COLUMNS), (k, ms, rng) => ({
        'Playlist ID': idOf(k),
        'Add new videos to top': rng.chance(0.3) ? 'True' : 'False',
        'Playlist Description (Original)': rng.chance(0.3) ? `${titleOf(k)}, collected since ${rfc3339(ms).slice(0, 4)}` : '',
        'Playlist Title (Original)': titleOf(k),
        'Playlist Title (Original) Language': rng.chance(0.2) ? 'en_US' : '',
        'Playlist Create Timestamp': rfc3339Micros(ms, rng.int(1000)),
        'Playlist Update Timestamp': rfc3339Micros(Math.min(ctx.nowMs, ms + rng.int(200) * 86_400_000), rng.int(1000)),
        'Playlist Video Order': 'Manual',
        'Playlist Visibility': visibility,
      }));
      const items = sizes
        .filter(({ size }) => size > 0)
        .map(({ k, size }) => {
          const window = ctx.subWindow(`playlist-${k}`, 365, size);
          return windowFile(window, `${folder}/${titleOf(k)}-videos.csv`, csv(['Video ID', 'Playlist Video Creation Timestamp']), (_j, ms, rng) => ({
            'Video ID': videos.pick(rng).id,
            'Playlist Video Creation Timestamp': rfc3339Micros(ms, rng.int(1000)),
          }));
        });
      return [list, ...items];
    },
  };
}

const VIDEO_CATEGORIES = ['Howto & Style', 'Education', 'People & Blogs', 'Music', 'Science & Technology', 'Travel & Events', 'Gaming'];

/** Thumbnails for the newest few videos: small JPEGs, so archives stay small. */
const VIDEOS_WITH_THUMBNAILS = 2;

/** `video metadata/videos.csv`'s columns, as a real Takeout (2024) writes them. */
const VIDEO_COLUMNS = [
  'Video ID',
  'Approx Duration (ms)',
  'Video Audio Language',
  'Video Category',
  'Video Description (Original)',
  'Channel ID',
  'Video Title (Original)',
  'Privacy',
  'Video State',
  'Video Create Timestamp',
  'Video Publish Timestamp',
] as const;

/** `video metadata/video recordings.csv`'s columns, as a real Takeout (2024) writes them. */
const VIDEO_RECORDING_COLUMNS = [
  'Video ID',
  'Video Recording Address',
  'Video Recording Altitude',
  'Video Recording Latitude',
  'Video Recording Longitude',
  "Place ID derived from Google's Places API",
] as const;

/** `video metadata/video texts.csv`'s columns, named and ordered as the parsers of real exports read them. */
const VIDEO_TEXT_COLUMNS = [
  'Video ID',
  'Video Text Create Timestamp',
  'Video Description Text Segments 1',
  'Video Title Text Segments 1',
  'Video Text Update Timestamp',
] as const;

function videoGroup(visibility: Visibility): GroupSpec {
  const folder = `${ROOT}/${visibility.toLowerCase()} videos`;
  return {
    spanDays: 6 * 365,
    shape: 'list',
    files(ctx) {
      const { channelId, homeCity } = userProfile(ctx.userSeed);
      const idOf = (k: number): string => new Rng(mix32(ctx.seed ^ 0x7669640a, k)).chars(BASE64URL, 11);
      // A video's own values, the same in each of the three files that name it.
      const videoOf = (k: number, ms: number) => {
        const rng = new Rng(mix32(ctx.seed ^ 0x74657874, k));
        const title = videoTitle(rng);
        return { id: idOf(k), title, description: `${title}. Filmed ${rfc3339(ms).slice(0, 10)}.`, createdMs: ms };
      };
      // The group's records are split between the three files: every video has a row in videos.csv, and the
      // newest of them a row in video texts.csv and video recordings.csv (a third of the records each).
      const perFile = Math.floor(ctx.window.count / 3);
      const videos = ctx.window.newest(ctx.window.count - 2 * perFile);
      const metadata = windowFile(videos, `${folder}/video metadata/videos.csv`, csv(VIDEO_COLUMNS), (k, ms, rng) => {
        const video = videoOf(k, ms);
        return {
          'Video ID': video.id,
          'Approx Duration (ms)': rng.between(20, 1800) * 1000,
          'Video Audio Language': rng.pick(['', 'en', 'en-US', 'de', 'nl', 'fr', 'es']),
          'Video Category': rng.pick(VIDEO_CATEGORIES),
          'Video Description (Original)': video.description,
          'Channel ID': channelId,
          'Video Title (Original)': video.title,
          Privacy: visibility,
          'Video State': 'Processed',
          'Video Create Timestamp': rfc3339Micros(ms, rng.int(1000)),
          'Video Publish Timestamp': visibility === 'Private' ? '' : rfc3339Micros(Math.min(ctx.nowMs, ms + rng.int(3600) * 1000), rng.int(1000)),
        };
      });
      const texts = windowFile(ctx.window.newest(perFile), `${folder}/video metadata/video texts.csv`, csv(VIDEO_TEXT_COLUMNS), (k, ms, rng) => {
        const video = videoOf(k, ms);
        return {
          'Video ID': video.id,
          'Video Text Create Timestamp': rfc3339Micros(ms, rng.int(1000)),
          'Video Description Text Segments 1': video.description,
          'Video Title Text Segments 1': video.title,
          'Video Text Update Timestamp': rfc3339Micros(Math.min(ctx.nowMs, ms + rng.int(30) * 86_400_000), rng.int(1000)),
        };
      });
      const recordings = windowFile(
        ctx.window.newest(perFile),
        `${folder}/video metadata/video recordings.csv`,
        csv(VIDEO_RECORDING_COLUMNS),
        (k, _ms, rng) => {
          // Most videos carry no recording place: Takeout writes an empty address and zeros for them.
          if (!rng.chance(0.3)) {
            return {
              'Video ID': idOf(k),
              'Video Recording Address': '',
              'Video Recording Altitude': 0,
              'Video Recording Latitude': 0,
              'Video Recording Longitude': 0,
              "Place ID derived from Google's Places API": '',
            };
          }
          const place = makePlace(rng, rng.chance(0.7) ? homeCity : rng.pick(CITIES));
          return {
            'Video ID': idOf(k),
            'Video Recording Address': place.address,
            'Video Recording Altitude': 0,
            'Video Recording Latitude': place.lat,
            'Video Recording Longitude': place.lng,
            "Place ID derived from Google's Places API": `ChIJ${rng.chars(BASE64URL, 23)}`,
          };
        },
      );
      const thumbnails = videos.newest(VIDEOS_WITH_THUMBNAILS).map((k) => bytesFile(`${folder}/video thumbnails/${idOf(k)}.jpg`, recordJpeg(ctx.seed, k)));
      return [metadata, texts, recordings, ...thumbnails];
    },
  };
}

const WISHLISTS = ['Birthday ideas', 'Kitchen', 'Bike stuff', 'Gifts', 'Home office'];

const shopping: GroupSpec = {
  spanDays: 2 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(
        ctx,
        `${ROOT}/youtube shopping/wishlist items.csv`,
        csv(['Wishlist Title', 'Product Title', 'Merchant', 'Price', 'Product URL', 'Added Timestamp']),
        (_k, ms, rng) => {
          const merchant = rng.pick(MERCHANTS);
          return {
            'Wishlist Title': rng.pick(WISHLISTS),
            'Product Title': rng.pick(PRODUCTS),
            Merchant: merchant,
            Price: euros(rng.between(499, 24999)),
            'Product URL': `https://www.${merchant.toLowerCase().replace(/[^a-z.]/g, '')}${merchant.includes('.') ? '' : '.com'}/p/${rng.int(1e9)}`,
            'Added Timestamp': rfc3339Micros(ms, rng.int(1000)),
          };
        },
      ),
    ];
  },
};

const subscriptions: GroupSpec = {
  spanDays: 8 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${ROOT}/subscriptions/subscriptions.csv`, csv(['Channel Id', 'Channel Url', 'Channel Title']), (_k, _ms, rng) => {
        // Each subscription is its own channel: the watched-channel pool is too small for hundreds.
        const subscribed = channelPool(rng.next(), 1).at(0);
        return { 'Channel Id': subscribed.id, 'Channel Url': `http://www.youtube.com/channel/${subscribed.id}`, 'Channel Title': subscribed.title };
      }),
    ];
  },
};

const CONVERSATION_PROMPTS = [
  'Summarize this video',
  'What are the key points?',
  'Recommend similar videos',
  'Explain the part about {topic}',
  'How long is the recipe?',
  'What song is playing at the start?',
  'Quiz me on this video',
];
const CONVERSATION_REPLIES = [
  'This video covers {topic} in three parts: the basics, a worked example and common mistakes.',
  'Here are the key points: start simple, measure as you go, and keep notes.',
  'You might also like other videos about {topic} from the same channel.',
  'Sure. The part about {topic} explains why it matters and shows an example.',
];

/** Your conversations on YouTube (Ask about a video), one message per record; turns alternate user/model. */
const conversations: GroupSpec = {
  spanDays: 365,
  shape: 'list',
  files(ctx) {
    const videos = watchedVideos(ctx);
    const conversationOf = (k: number): number => Math.floor(k / 4);
    return [
      listFile(ctx, `${ROOT}/conversations/conversations.json`, JSON_ARRAY, (k, ms, rng) => {
        const c = conversationOf(k);
        const video = videos.at(mix32(ctx.seed, c) % videos.length);
        const topic = rng.pick(VIDEO_TOPICS);
        const fromUser = k % 2 === 0;
        return {
          conversationId: new Rng(mix32(ctx.seed ^ 0x636f6e76, c)).chars(BASE64URL, 16),
          videoId: video.id,
          videoTitle: video.title,
          role: fromUser ? 'USER' : 'MODEL',
          text: (fromUser ? rng.pick(CONVERSATION_PROMPTS) : rng.pick(CONVERSATION_REPLIES)).replace('{topic}', topic),
          createTime: rfc3339(ms),
        };
      }),
    ];
  },
};

export const youtubeGroups: Readonly<Record<string, GroupSpec>> = {
  'youtube.channel': channel,
  'youtube.clips': clips,
  'youtube.comments': comments,
  'youtube.conversations': conversations,
  'youtube.live_chat': liveChat,
  'youtube.music': music,
  'youtube.playable': playable,
  'youtube.posts': posts,
  'youtube.private_playlists': playlistGroup('Private'),
  'youtube.public_playlists': playlistGroup('Public'),
  'youtube.unlisted_playlists': playlistGroup('Unlisted'),
  'youtube.private_videos': videoGroup('Private'),
  'youtube.public_videos': videoGroup('Public'),
  'youtube.unlisted_videos': videoGroup('Unlisted'),
  'youtube.shopping': shopping,
  'youtube.subscriptions': subscriptions,
};
