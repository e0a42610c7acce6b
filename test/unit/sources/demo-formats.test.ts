/**
 * The demo files against the shapes Google's exports have (docs/demo-data.md says where each was confirmed).
 */
import { describe, expect, it } from 'vitest';
import { collect, givenDemoSource, request, type CollectedFile } from './demo-fixtures.js';
import { serializerFor } from '../../../src/export/serialize.js';
import type { RecordFormat } from '../../../src/sources/index.js';

type Rec = Record<string, unknown>;
type Bytes = Extract<CollectedFile, { kind: 'bytes' }>;
type Records = Extract<CollectedFile, { kind: 'records' }>;

async function filesOf(group: string, recordsPerGroup = 20): Promise<CollectedFile[]> {
  return collect(givenDemoSource({ recordsPerGroup }), request(group));
}

function recordsAt(files: CollectedFile[], path: string): Rec[] {
  const file = files.find((f) => f.path === path);
  if (file?.kind !== 'records') throw new Error(`no records file ${path} among ${files.map((f) => f.path).join(', ')}`);
  return file.records as Rec[];
}

function bytesAt(files: CollectedFile[], path: string): Uint8Array {
  const file = files.find((f) => f.path === path);
  if (file?.kind !== 'bytes') throw new Error(`no bytes file ${path} among ${files.map((f) => f.path).join(', ')}`);
  return file.bytes;
}

/** The top-level boxes of an MP4, and the duration (ms) its `mvhd` declares. */
function mp4(bytes: Uint8Array): { boxes: string[]; durationMs: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: string[] = [];
  let durationMs = -1;
  for (let at = 0; at < bytes.length;) {
    const size = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    expect(size).toBeGreaterThanOrEqual(8);
    boxes.push(type);
    if (type === 'moov') {
      expect(String.fromCharCode(...bytes.subarray(at + 12, at + 16))).toBe('mvhd');
      const mvhd = at + 16;
      durationMs = (view.getUint32(mvhd + 16) / view.getUint32(mvhd + 12)) * 1000;
    }
    at += size;
    expect(at).toBeLessThanOrEqual(bytes.length);
  }
  return { boxes, durationMs };
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes.at(-2) === 0xff && bytes.at(-1) === 0xd9;
}

describe('groups Google added after the seed', () => {
  it('nest.user: one profile with its home and devices', async () => {
    const [user] = recordsAt(await filesOf('nest.user'), 'Nest/User/User.json');
    expect(user).toMatchObject({ name: expect.any(String), email: expect.stringContaining('@'), profilePictureUrl: expect.stringMatching(/^https:/) });
    const homes = user!.homes as { devices: Rec[] }[];
    expect(homes[0]!.devices.length).toBeGreaterThanOrEqual(2);
    for (const d of homes[0]!.devices) expect(d.type).toMatch(/^sdm\.devices\.types\.[A-Z]+$/);
  });

  it('nest.store: orders, and payment details with contact, addresses and subscriptions', async () => {
    const files = await filesOf('nest.store');
    const orders = recordsAt(files, 'Nest/Store/Orders.json');
    expect(orders).toHaveLength(20);
    for (const o of orders) expect(o).toMatchObject({ orderId: expect.any(String), orderTime: expect.any(String), items: expect.any(Array) });
    const [payment] = recordsAt(files, 'Nest/Store/Payment and subscriptions.json');
    expect(Object.keys(payment!)).toEqual(['contact', 'billingAddress', 'shippingAddresses', 'paymentMethods', 'subscriptions']);
  });

  it('nest.camera_event: events as JSON; every clip and image an event names is in the archive, a valid MP4 or JPG', async () => {
    const files = await filesOf('nest.camera_event');
    const events = recordsAt(files, 'Nest/Camera events/Camera events.json');
    expect(events).toHaveLength(20);
    const withMedia = events.filter((e) => e.clip);
    expect(withMedia.length).toBeGreaterThan(0);
    for (const e of events) expect(e.eventType).toMatch(/^sdm\.devices\.events\.\w+\.\w+$/);
    for (const e of withMedia) {
      const clip = mp4(bytesAt(files, `Nest/Camera events/${e.clip as string}`));
      expect(clip.boxes).toEqual(['ftyp', 'moov']);
      expect(clip.durationMs).toBe(Date.parse(e.endTime as string) - Date.parse(e.startTime as string));
      expect(isJpeg(bytesAt(files, `Nest/Camera events/${e.image as string}`))).toBe(true);
    }
    expect(files.filter((f) => f.kind === 'bytes')).toHaveLength(withMedia.length * 2);
  });

  it('nest.camera_feature: per camera zoom, media quality and night vision', async () => {
    const [features] = recordsAt(await filesOf('nest.camera_feature'), 'Nest/Camera features/Camera features.json');
    for (const c of features!.cameras as Rec[]) {
      expect(c).toMatchObject({ maxZoom: expect.any(Number), mediaQuality: expect.any(String), nightVision: expect.any(String) });
    }
  });

  it('nest.camera_video: the MP4 recordings it lists are in the archive', async () => {
    const files = await filesOf('nest.camera_video');
    const index = recordsAt(files, 'Nest/Camera video/Recordings.json');
    expect(index).toHaveLength(20);
    const held = index.filter((r) => r.file);
    expect(held.length).toBeGreaterThan(0);
    for (const r of held) expect(mp4(bytesAt(files, `Nest/Camera video/${r.file as string}`)).boxes).toEqual(['ftyp', 'moov']);
  });

  it('maps.vehicle_profile: one vehicle profile in its Maps folder', async () => {
    const [profile] = recordsAt(await filesOf('maps.vehicle_profile'), 'Maps/Vehicle profile/Vehicle profile.json');
    expect((profile!.vehicles as Rec[])[0]).toMatchObject({
      make: expect.any(String),
      model: expect.any(String),
      engineType: expect.stringMatching(/^[A-Z]+$/),
    });
  });

  it('pixel.device_data: usage and diagnostic reports of Pixel devices', async () => {
    const reports = recordsAt(await filesOf('pixel.device_data'), 'Pixel/Device data.json');
    expect(reports).toHaveLength(20);
    for (const r of reports) expect((r.device as Rec).model).toMatch(/^Pixel /);
  });

  it('youtube.conversations: messages alternating between you and the model, each about a video', async () => {
    const messages = recordsAt(await filesOf('youtube.conversations'), 'YouTube and YouTube Music/conversations/conversations.json');
    expect(messages).toHaveLength(20);
    for (const m of messages)
      expect(m).toMatchObject({
        conversationId: expect.any(String),
        videoId: expect.stringMatching(/^[\w-]{11}$/),
        role: expect.stringMatching(/^(USER|MODEL)$/),
      });
  });
});

describe('Google Play Store', () => {
  const FOLDER = 'Google Play Store';

  it('Subscriptions.json: top-level period {unit, count} and price; pricing phases with period objects; userChangeRecord', async () => {
    const items = recordsAt(await filesOf('play.subscriptions', 60), `${FOLDER}/Subscriptions.json`);
    expect(items).toHaveLength(60);
    for (const { subscription: s } of items as { subscription: Rec }[]) {
      expect(s.period).toEqual({ unit: expect.stringMatching(/^(DAY|WEEK|MONTH|YEAR)$/), count: expect.any(Number) });
      expect(s.price).toMatch(/^€\d/);
      expect(s.doc).toMatchObject({ documentType: 'Subscription' });
      const pricing = s.pricing as Rec[];
      expect(pricing.at(-1)).toEqual({ period: s.period, price: s.price, repeatedPricing: true });
      for (const p of pricing) expect(p.period).toEqual({ unit: expect.any(String), count: expect.any(Number) });
      expect(s.state).toMatch(/^(Active|Canceled)$/);
      expect(s.renewalDate === undefined).toBe(s.state === 'Canceled');
      expect((s.userChangeRecord as Rec[]).map((r) => r.type)).toEqual(s.state === 'Active' ? ['Purchase'] : ['Cancel', 'Purchase']);
    }
  });

  it('Devices.json: userAddedOnDeviceTime, userLocale inside mostRecentData, androidSdkVersion and totalMemoryBytes as strings, every device field', async () => {
    const items = recordsAt(await filesOf('play.devices'), `${FOLDER}/Devices.json`);
    const snapshotKeys = [
      'carrierName',
      'manufacturer',
      'modelName',
      'deviceName',
      'productName',
      'retailBrand',
      'totalMemoryBytes',
      'nativePlatform',
      'deviceIpCountry',
      'userLocale',
      'buildFingerprint',
      'androidSdkVersion',
      'playStoreClientVersion',
    ];
    for (const { device: d } of items as { device: Rec }[]) {
      expect(Object.keys(d)).toEqual([
        'mostRecentData',
        'dataAtTimeOfUserPlayActivity',
        'deviceRegistrationTime',
        'userAddedOnDeviceTime',
        'lastTimeDeviceActive',
      ]);
      for (const snapshot of [d.mostRecentData, d.dataAtTimeOfUserPlayActivity] as Rec[]) {
        expect(Object.keys(snapshot)).toEqual(snapshotKeys);
        expect(snapshot.androidSdkVersion).toMatch(/^\d+$/);
        expect(snapshot.totalMemoryBytes).toMatch(/^\d+$/);
        expect(snapshot.userLocale).toMatch(/^[a-z]{2}_[A-Z]{2}$/);
        expect(typeof snapshot.playStoreClientVersion).toBe('number');
      }
      expect(d.userAddedOnDeviceTime).toMatch(/Z$/);
    }
  });

  it('Installs.json: deviceAttribute has model, carrier, manufacturer and deviceDisplayName', async () => {
    const items = recordsAt(await filesOf('play.installs'), `${FOLDER}/Installs.json`);
    for (const { install } of items as { install: Rec }[]) {
      const attribute = install.deviceAttribute as Rec;
      expect(Object.keys(attribute)).toEqual(['model', 'carrier', 'manufacturer', 'deviceDisplayName']);
      expect(attribute.deviceDisplayName).toBe(`${attribute.manufacturer as string} ${attribute.model as string}`);
    }
  });

  it('Play Settings.json: an array of {userSetting} items', async () => {
    const files = await filesOf('play.usersettings');
    expect(files.map((f) => f.path)).toEqual([`${FOLDER}/Play Settings.json`]);
    const settings = recordsAt(files, `${FOLDER}/Play Settings.json`);
    expect((files[0] as Records).format).toEqual({ type: 'json-array' });
    expect(settings.length).toBeGreaterThan(1);
    for (const item of settings) expect(Object.keys(item)).toEqual(['userSetting']);
    expect(settings[0]).toEqual({ userSetting: { marketingPreferences: { wantsMultiContentEmail: expect.any(Boolean) } } });
  });
});

describe('Chrome', () => {
  const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
  /** WebKit time: microseconds since 1601-01-01. */
  const fromWebkit = (us: number): number => us / 1000 - 11_644_473_600_000;

  it('Settings.json holds the search engines, with WebKit-microsecond integer dates; no separate Search Engines file', async () => {
    const files = await filesOf('chrome.settings');
    expect(files.map((f) => f.path)).toEqual(['Chrome/Settings.json']);
    const [settings] = recordsAt(files, 'Chrome/Settings.json');
    const engines = settings!['Search Engines'] as Rec[];
    expect(engines.length).toBeGreaterThan(0);
    for (const e of engines) {
      expect(Number.isInteger(e.date_created)).toBe(true);
      expect(Number.isInteger(e.last_modified)).toBe(true);
      const ms = fromWebkit(e.date_created as number);
      expect(ms).toBeGreaterThan(Date.UTC(2008, 0, 1));
      expect(ms).toBeLessThanOrEqual(Date.UTC(2026, 2, 1, 12));
      expect(e).toMatchObject({
        short_name: expect.any(String),
        keyword: expect.any(String),
        url: expect.stringContaining('{searchTerms}'),
        sync_guid: expect.any(String),
        prepopulate_id: expect.any(Number),
      });
    }
  });

  it('Addresses and more.json: Autofill entries beside the Autofill Profile and Contact Info sections', async () => {
    const files = await filesOf('chrome.autofill');
    const file = files[0] as Records;
    expect(file.path).toBe('Chrome/Addresses and more.json');
    expect(file.format).toMatchObject({
      type: 'json-array',
      wrapper: { key: 'Autofill', fields: { 'Autofill Profile': expect.any(Array), 'Contact Info': expect.any(Array) } },
    });
    const fields = (file.format as { wrapper: { fields: Record<string, Rec[]> } }).wrapper.fields;
    expect(fields['Autofill Profile']![0]).toMatchObject({
      guid: expect.any(String),
      name_full: [expect.any(String)],
      address_home_city: expect.any(String),
      email_address: [expect.stringContaining('@')],
      use_date: expect.any(Number),
    });
    expect(fields['Contact Info']![0]).toMatchObject({ name_full: [expect.any(String)], email_address: [expect.any(String)] });
    for (const r of file.records as Rec[]) {
      expect(Object.keys(r)).toEqual(['usage_timestamp', 'name', 'value']);
      for (const t of r.usage_timestamp as number[]) expect(fromWebkit(t)).toBeGreaterThan(Date.UTC(2008, 0, 1));
    }
  });

  it('Bookmarks.html and Reading List.html: Netscape files with ADD_DATE in Unix seconds; the bookmarks bar marked as Chrome marks it', async () => {
    const bookmarks = text(bytesAt(await filesOf('chrome.bookmarks'), 'Chrome/Bookmarks.html'));
    expect(bookmarks).toMatch(/<DT><H3 ADD_DATE="\d{10}" LAST_MODIFIED="\d{10}" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar<\/H3>/);
    expect(bookmarks.match(/<DT><A HREF="[^"]+" ADD_DATE="\d{10}">/g)).toHaveLength(20);
    const readingList = text(bytesAt(await filesOf('chrome.reading_list'), 'Chrome/Reading List.html'));
    expect(readingList).toMatch(/^<!DOCTYPE NETSCAPE-Bookmark-file-1>/);
    expect(readingList).not.toContain('PERSONAL_TOOLBAR_FOLDER');
    expect(readingList.match(/<DT><A HREF="[^"]+" ADD_DATE="\d{10}">/g)).toHaveLength(20);
  });

  it('Dictionary.csv: one word per line, no header row', async () => {
    const file = (await filesOf('chrome.dictionary'))[0] as Records;
    expect(file.format).toEqual({ type: 'csv', columns: ['Word'], header: false });
    const { serializerFor } = await import('../../../src/export/serialize.js');
    const s = serializerFor(file.format as never);
    expect(s.header).toBe('');
    expect(s.record({ Word: 'Dataport' }, true)).toBe('Dataport\r\n');
  });

  it('History.json: client_id is 16 bytes in standard base64, and every entry carries ptoken', async () => {
    const entries = recordsAt(await filesOf('chrome.history', 200), 'Chrome/History.json');
    for (const e of entries) {
      expect(e.client_id).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(e.client_id as string, 'base64')).toHaveLength(16);
      expect(e.ptoken).toEqual({});
    }
    expect(entries.some((e) => /[+/]/.test(e.client_id as string))).toBe(true);
  });
});

describe('paths and containers', () => {
  it('every Maps dataset sits in its own folder, named after it: Maps/<dataset>/<dataset>.json', async () => {
    for (const group of [
      'maps.aliased_places',
      'maps.commute_routes',
      'maps.commute_settings',
      'maps.ev_profile',
      'maps.factual_contributions',
      'maps.offering_contributions',
      'maps.photos_videos',
      'maps.questions_answers',
      'maps.vehicle_profile',
    ]) {
      const [main] = await filesOf(group, 5);
      const parts = main!.path.split('/');
      expect(parts[0], group).toBe('Maps');
      expect(parts, group).toHaveLength(3);
      if (group !== 'maps.aliased_places') expect(parts[2], group).toBe(`${parts[1]}.json`);
    }
  });

  it('My Maps: each exported map is My Maps/<map>/<map>.kmz, a ZIP holding doc.kml', async () => {
    const { fromBuffer } = await import('yauzl');
    const { crc32 } = await import('node:zlib');
    const files = await filesOf('mymaps.maps', 5);
    const maps = files.filter((f): f is Bytes => f.kind === 'bytes');
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const [, folder, name] = map.path.split('/');
      expect(name).toBe(`${folder!}.kmz`);
      const entries = await new Promise<{ name: string; crc: number; bytes: Buffer }[]>((resolve, reject) => {
        fromBuffer(Buffer.from(map.bytes), { lazyEntries: true }, (err, zip) => {
          if (err) return reject(err);
          const out: { name: string; crc: number; bytes: Buffer }[] = [];
          zip.on('entry', (entry: { fileName: string; crc32: number }) => {
            zip.openReadStream(entry as never, (e, stream) => {
              if (e) return reject(e);
              const chunks: Buffer[] = [];
              stream.on('data', (c: Buffer) => chunks.push(c));
              stream.on('end', () => {
                out.push({ name: entry.fileName, crc: entry.crc32, bytes: Buffer.concat(chunks) });
                zip.readEntry();
              });
            });
          });
          zip.on('end', () => resolve(out));
          zip.readEntry();
        });
      });
      expect(entries.map((e) => e.name)).toEqual(['doc.kml']);
      expect(crc32(entries[0]!.bytes)).toBe(entries[0]!.crc);
      expect(entries[0]!.bytes.toString('utf8')).toMatch(/^<\?xml[\s\S]*<kml xmlns="http:\/\/www\.opengis\.net\/kml\/2\.2">[\s\S]*<Placemark>/);
    }
  });

  it('Saved: Favorite places.csv, in US English', async () => {
    const paths = (await filesOf('saved.collections')).map((f) => f.path);
    expect(paths).toContain('Saved/Favorite places.csv');
    expect(paths.some((p) => p.includes('Favourite'))).toBe(false);
  });
});

describe('media', () => {
  it.each([
    ['maps.photos_videos', 'Maps/Photos and videos'],
    ['streetview.imagery', 'Street View'],
  ])('%s: every photo and video the metadata names is in the archive', async (group, folder) => {
    const files = await filesOf(group, 60);
    const features = (files[0] as Records).records as { properties: Rec }[];
    expect(features).toHaveLength(60);
    const media = new Map(files.filter((f): f is Bytes => f.kind === 'bytes').map((f) => [f.path, f.bytes]));
    expect(media.size).toBe(60);
    for (const { properties } of features) {
      const bytes = media.get(`${folder}/${properties.file_name as string}`);
      expect(bytes, properties.file_name as string).toBeDefined();
      if ((properties.file_name as string).endsWith('.mp4')) expect(mp4(bytes!).boxes).toEqual(['ftyp', 'moov']);
      else expect(isJpeg(bytes!)).toBe(true);
    }
    expect([...media.keys()].some((p) => p.endsWith('.mp4')) || group === 'streetview.imagery').toBe(true);
  });

  it('a very long export names files for its newest 500 photos only, and holds exactly those', async () => {
    const files = await filesOf('streetview.imagery', 520);
    const features = (files[0] as Records).records as { properties: Rec }[];
    const named = features.filter((f) => f.properties.file_name !== undefined);
    expect(named).toHaveLength(500);
    expect(features.slice(0, 500)).toEqual(named);
    const media = new Set(files.filter((f) => f.kind === 'bytes').map((f) => f.path));
    expect(media).toEqual(new Set(named.map((f) => `Street View/${f.properties.file_name as string}`)));
  });
});

describe('Search contributions', () => {
  const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

  it('Watched.json: Published and Search Query', async () => {
    for (const r of recordsAt(await filesOf('search_ugc.media.watched'), 'Search Contributions/Watched.json')) {
      expect(Object.keys(r)).toEqual(['Published', 'Search Query']);
      expect(r.Published).toMatch(ISO);
    }
  });

  it('Thumbs.json: Published, Search Query, Thumbs Rating (Thumbs Up or Down), and Updated when changed', async () => {
    const items = recordsAt(await filesOf('search_ugc.media.thumbs', 60), 'Search Contributions/Thumbs.json');
    for (const r of items) {
      expect(Object.keys(r).slice(0, 3)).toEqual(['Published', 'Search Query', 'Thumbs Rating']);
      expect(r['Thumbs Rating']).toMatch(/^Thumbs (Up|Down)$/);
      if (r.Updated !== undefined) expect(Date.parse(r.Updated as string)).toBeGreaterThanOrEqual(Date.parse(r.Published as string));
    }
    expect(items.some((r) => r.Updated)).toBe(true);
  });

  it('Reviews.json: Published, Search Query, Review Star Rating in words, Review Comment when written', async () => {
    const files = await filesOf('search_ugc.media.reviews_and_stars', 60);
    expect(files.map((f) => f.path)).toEqual(['Search Contributions/Reviews.json']);
    for (const r of recordsAt(files, 'Search Contributions/Reviews.json')) {
      expect(r['Review Star Rating']).toMatch(/^(One star|(Two|Three|Four|Five) stars)$/);
      expect(Object.keys(r).every((k) => ['Published', 'Search Query', 'Review Star Rating', 'Review Comment', 'Updated'].includes(k))).toBe(true);
    }
  });

  it('Streaming video providers.json: a list of Published and Provider Name', async () => {
    const providers = recordsAt(await filesOf('search_ugc.media.streaming_video_providers'), 'Search Contributions/Streaming video providers.json');
    expect(providers.length).toBeGreaterThan(0);
    for (const p of providers) expect(Object.keys(p)).toEqual(['Published', 'Provider Name']);
  });
});

describe('Google Shopping', () => {
  it("uses Takeout's folders: Addresses/Addresses, Product Reviews/Product Reviews, Merchant Reviews/Merchant Reviews", async () => {
    expect((await filesOf('shopping.addresses')).map((f) => f.path)).toEqual(['Google Shopping/Addresses/Addresses.json']);
    const reviews = await filesOf('shopping.reviews', 50);
    expect(reviews.map((f) => f.path)).toEqual([
      'Google Shopping/Product Reviews/Product Reviews.json',
      'Google Shopping/Merchant Reviews/Merchant Reviews.json',
    ]);
    const [products, merchants] = reviews as Records[];
    expect(products!.records.length + merchants!.records.length).toBe(50);
    for (const r of products!.records as Rec[]) expect(r.productTitle).toEqual(expect.any(String));
    for (const r of merchants!.records as Rec[]) expect(r.productTitle).toBeUndefined();
  });
});

describe('YouTube uploads and playlists', () => {
  const ROOT = 'YouTube and YouTube Music';
  const VISIBILITIES = ['public', 'private', 'unlisted'] as const;
  /** The header line the archive writes for a CSV file. */
  const headerOf = (files: CollectedFile[], path: string): string => {
    const file = files.find((f) => f.path === path);
    if (file?.kind !== 'records') throw new Error(`no records file ${path} among ${files.map((f) => f.path).join(', ')}`);
    return serializerFor(file.format as RecordFormat).header.replace(/\r?\n$/, '');
  };

  it("each visibility group writes Takeout's video metadata files, with a real export's headers, below a folder of its own", async () => {
    for (const visibility of VISIBILITIES) {
      const files = await filesOf(`youtube.${visibility}_videos`, 30);
      const folder = `${ROOT}/${visibility} videos/video metadata`;
      expect(files.filter((f) => f.kind === 'records').map((f) => f.path)).toEqual([
        `${folder}/videos.csv`,
        `${folder}/video texts.csv`,
        `${folder}/video recordings.csv`,
      ]);
      // Headers of a real Takeout (simulot/immich-go test data, 2024).
      expect(headerOf(files, `${folder}/videos.csv`)).toBe(
        'Video ID,Approx Duration (ms),Video Audio Language,Video Category,Video Description (Original),Channel ID,Video Title (Original),Privacy,Video State,Video Create Timestamp,Video Publish Timestamp',
      );
      expect(headerOf(files, `${folder}/video recordings.csv`)).toBe(
        "Video ID,Video Recording Address,Video Recording Altitude,Video Recording Latitude,Video Recording Longitude,Place ID derived from Google's Places API",
      );
      expect(headerOf(files, `${folder}/video texts.csv`)).toBe(
        'Video ID,Video Text Create Timestamp,Video Description Text Segments 1,Video Title Text Segments 1,Video Text Update Timestamp',
      );
      const videos = recordsAt(files, `${folder}/videos.csv`);
      const byId = new Map(videos.map((v) => [v['Video ID'], v]));
      for (const v of videos) expect(v.Privacy).toBe(visibility[0]!.toUpperCase() + visibility.slice(1));
      // The group's 30 records, a third in each of the two files beside videos.csv, each about a listed video.
      const texts = recordsAt(files, `${folder}/video texts.csv`);
      const recordings = recordsAt(files, `${folder}/video recordings.csv`);
      expect([videos.length, texts.length, recordings.length]).toEqual([10, 10, 10]);
      for (const t of texts) expect(t['Video Title Text Segments 1']).toBe(byId.get(t['Video ID'])!['Video Title (Original)']);
      for (const r of recordings) {
        expect(byId.has(r['Video ID'])).toBe(true);
        if (r['Video Recording Address'] === '') expect([r['Video Recording Latitude'], r['Video Recording Longitude']]).toEqual([0, 0]);
        else expect(r["Place ID derived from Google's Places API"]).toMatch(/^ChIJ/);
      }
      for (const f of files.filter((f) => f.kind === 'bytes')) {
        expect(f.path).toMatch(new RegExp(`^${ROOT}/${visibility} videos/video thumbnails/[\\w-]{11}\\.jpg$`));
        expect(byId.has(f.path.split('/').at(-1)!.slice(0, 11))).toBe(true);
      }
    }
  });

  it("each visibility group writes playlists/playlists.csv with a real export's header and one <title>-videos.csv per listed playlist", async () => {
    for (const visibility of VISIBILITIES) {
      const files = await filesOf(`youtube.${visibility}_playlists`, 40);
      const folder = `${ROOT}/${visibility} playlists/playlists`;
      expect(files[0]!.path).toBe(`${folder}/playlists.csv`);
      expect(headerOf(files, `${folder}/playlists.csv`)).toBe(
        'Playlist ID,Add new videos to top,Playlist Description (Original),Playlist Title (Original),Playlist Title (Original) Language,Playlist Create Timestamp,Playlist Update Timestamp,Playlist Video Order,Playlist Visibility',
      );
      const playlists = recordsAt(files, `${folder}/playlists.csv`);
      for (const p of playlists) {
        expect(p['Add new videos to top']).toMatch(/^(True|False)$/);
        expect(p['Playlist Visibility']).toBe(visibility[0]!.toUpperCase() + visibility.slice(1));
      }
      const titles = new Set(playlists.map((p) => p['Playlist Title (Original)']));
      const items = files.slice(1);
      expect(items.length).toBeGreaterThan(0);
      for (const f of items) {
        expect(f.path.startsWith(`${folder}/`) && f.path.endsWith('-videos.csv')).toBe(true);
        expect(titles.has(f.path.slice(folder.length + 1, -'-videos.csv'.length))).toBe(true);
        expect(headerOf(files, f.path)).toBe('Video ID,Playlist Video Creation Timestamp');
      }
    }
  });

  it("an archive holding every visibility group has each of Google's file names once per group, and no path twice", async () => {
    const groups = VISIBILITIES.flatMap((v) => [`youtube.${v}_videos`, `youtube.${v}_playlists`]);
    const paths = (await Promise.all(groups.map((g) => filesOf(g, 12)))).flat().map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const name of ['video metadata/videos.csv', 'video metadata/video texts.csv', 'video metadata/video recordings.csv', 'playlists/playlists.csv']) {
      expect(
        paths.filter((p) => p.endsWith(`/${name}`)),
        name,
      ).toHaveLength(3);
    }
  });
});

describe('Business Messages (retired)', () => {
  it("Conversations.json: one message per record with the keys of Google's schema reference (Chat history)", async () => {
    const messages = recordsAt(await filesOf('businessmessaging.conversations', 40), 'Business Messages/Conversations.json');
    expect(messages).toHaveLength(40);
    for (const m of messages) {
      const keys = Object.keys(m);
      expect(keys.slice(0, 6)).toEqual(['application', 'title', 'timestamp_us', 'sender', 'content_type', 'content']);
      expect(keys.slice(6)).toEqual(keys.length > 6 ? ['display_text', 'secondary_text'] : []);
      expect(m.application).toMatch(/^(GMM|GMB)$/);
      expect(Number.isInteger(m.timestamp_us)).toBe(true);
      expect(m.timestamp_us as number).toBeGreaterThan(Date.UTC(2015, 0, 1) * 1000);
    }
    // Business replies come from the business the conversation is with.
    expect(messages.some((m) => m.sender === m.title)).toBe(true);
    expect(messages.some((m) => m.sender !== m.title)).toBe(true);
  });
});
