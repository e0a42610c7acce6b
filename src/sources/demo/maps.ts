/**
 * Google Maps groups. Places and contributions are GeoJSON FeatureCollections as Takeout writes them
 * (`Maps (your places)/Saved Places.json`, `Reviews.json`): each Feature a Point `[lng, lat]` with the
 * place under `properties.location`. Keys are in Takeout's (alphabetical) order.
 */
import { GEOJSON, JSON_ARRAY, listFile, objectFile, settingsChangedMs, type DemoFile, type GroupContext, type GroupSpec } from './group-spec.js';
import { homeAndWork, makePlace, placePool, userProfile, type Place } from './entities.js';
import { recordJpeg } from './jpeg.js';
import { demoMp4 } from './mp4.js';
import { Rng, mix32, rfc3339, rfc3339Seconds, type Pool } from './timeline.js';
import { CITIES, FIRST_NAMES, REVIEW_PHRASES } from './vocab.js';

function point(place: Place): { coordinates: [number, number]; type: 'Point' } {
  return { coordinates: [place.lng, place.lat], type: 'Point' };
}

function location(place: Place): { address: string; country_code: string; name: string } {
  return { address: place.address, country_code: place.city.countryCode, name: place.name };
}

/** A Feature for `place` with Takeout's common properties plus `extra`. */
function feature(
  place: Place,
  ms: number,
  url: string,
  extra: Record<string, unknown> = {},
): { geometry: object; properties: Record<string, unknown>; type: string } {
  return {
    geometry: point(place),
    properties: { date: rfc3339(ms), google_maps_url: url, location: location(place), ...extra },
    type: 'Feature',
  };
}

function places(ctx: GroupContext): Pool<Place> {
  return placePool(ctx.seed, userProfile(ctx.userSeed));
}

/** A list group of one GeoJSON file whose records are each about a place picked from the user's pool. */
function placeFeatures(spanDays: number, path: string, make: (place: Place, ms: number, rng: Rng) => object): GroupSpec {
  return {
    spanDays,
    shape: 'list',
    files(ctx) {
      const pool = places(ctx);
      return [listFile(ctx, path, GEOJSON, (_k, ms, rng) => make(pool.pick(rng), ms, rng))];
    },
  };
}

const starredPlaces = placeFeatures(4 * 365, 'Maps (your places)/Saved Places.json', (place, ms, rng) =>
  feature(
    place,
    ms,
    place.cidUrl,
    rng.chance(0.15) ? { Comment: rng.pick(['Try the brunch', 'Closed on Mondays', 'Recommended by Eva', 'For the next trip']) } : {},
  ),
);

const reviews = placeFeatures(5 * 365, 'Maps (your places)/Reviews.json', (place, ms, rng) => {
  const rating = rng.pick([5, 5, 5, 4, 4, 4, 3, 2, 1]);
  const text = rng.chance(0.75) ? `${rng.pick(REVIEW_PHRASES)} ${rng.chance(0.5) ? rng.pick(REVIEW_PHRASES) : ''}`.trim() : undefined;
  return feature(place, ms, place.placeUrl, {
    five_star_rating_published: rating,
    ...(text === undefined ? {} : { review_text_published: text }),
  });
});

const LABELS = ['Gym', 'School', 'Parents', 'Climbing hall', 'Doctor', 'Dentist', 'Bike repair', 'Allotment', 'Old office', 'Choir', 'Pool', 'Daycare'];

const aliasedPlaces: GroupSpec = {
  spanDays: 6 * 365,
  shape: 'list',
  files(ctx) {
    const profile = userProfile(ctx.userSeed);
    const { window } = ctx;
    const labeled = (name: string, place: Place): object => ({
      geometry: point(place),
      properties: { address: place.address, name },
      type: 'Feature',
    });
    // Everyone's list starts with Home and Work (in the cities the other groups use for this user); the
    // rest are the newest labels of the timeline. The file has no dates, so the two need no timestamps.
    const { home, work } = homeAndWork(ctx.userSeed);
    const fixed = [labeled('Home', home), labeled('Work', work)];
    const rest = window.newest(window.count - fixed.length);
    const records: Iterable<object> = {
      *[Symbol.iterator]() {
        yield* fixed.slice(0, window.count);
        yield* rest.map((_k, _ms, rng) => {
          const name = rng.chance(0.3) ? `${rng.pick(FIRST_NAMES)}'s place` : rng.pick(LABELS);
          return labeled(name, makePlace(rng, rng.chance(0.8) ? profile.homeCity : rng.pick(CITIES)));
        });
      },
    };
    return [{ kind: 'records', path: 'Maps/My labeled places/Labeled places.json', format: GEOJSON, records, count: window.count }];
  },
};

const TRAVEL_MODES = ['TRANSIT', 'DRIVING', 'BICYCLING', 'WALKING', 'TWO_WHEELER'] as const;

function waypoint(place: Place): object {
  return { name: place.name, address: place.address, latitude: place.lat, longitude: place.lng };
}

const commuteRoutes: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx) {
    const pool = places(ctx);
    return [
      listFile(ctx, 'Maps/Commute routes/Commute routes.json', JSON_ARRAY, (_k, ms, rng) => {
        const from = pool.pick(rng);
        const to = pool.pick(rng);
        return {
          name: `${from.name} to ${to.name}`,
          origin: waypoint(from),
          destination: waypoint(to),
          travelMode: rng.pick(TRAVEL_MODES),
          pinned: true,
          createTime: rfc3339(ms),
        };
      }),
    ];
  },
};

function settingsRng(ctx: GroupContext): Rng {
  return new Rng(mix32(ctx.seed, 0x73657474));
}

const commuteSettings: GroupSpec = {
  spanDays: 365,
  shape: 'single',
  files(ctx) {
    const rng = settingsRng(ctx);
    const { home, work } = homeAndWork(ctx.userSeed);
    const hhmm = (h: number, m: number): string => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
    return [
      objectFile('Maps/Commute settings/Commute settings.json', {
        home: { address: home.address, latitude: home.lat, longitude: home.lng },
        work: { address: work.address, latitude: work.lat, longitude: work.lng },
        travelMode: rng.pick(TRAVEL_MODES),
        workDays: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'].slice(0, rng.between(3, 5)),
        leaveHomeTime: hhmm(rng.between(7, 9), rng.pick([0, 15, 30, 45])),
        leaveWorkTime: hhmm(rng.between(16, 18), rng.pick([0, 15, 30, 45])),
        commuteNotifications: rng.chance(0.6),
        updateTime: rfc3339(settingsChangedMs(ctx)),
      }),
    ];
  },
};

const EVS = [
  { make: 'Volkswagen', model: 'ID.3', plugs: ['CCS_COMBO_2', 'TYPE_2'], kWh: 58 },
  { make: 'Tesla', model: 'Model 3', plugs: ['CCS_COMBO_2', 'TYPE_2'], kWh: 60 },
  { make: 'Renault', model: 'Zoe', plugs: ['CCS_COMBO_2', 'TYPE_2'], kWh: 52 },
  { make: 'Kia', model: 'EV6', plugs: ['CCS_COMBO_2', 'TYPE_2'], kWh: 77 },
  { make: 'Nissan', model: 'Leaf', plugs: ['CHADEMO', 'TYPE_2'], kWh: 40 },
] as const;

const evProfile: GroupSpec = {
  spanDays: 365,
  shape: 'single',
  files(ctx) {
    const rng = settingsRng(ctx);
    const ev = rng.pick(EVS);
    return [
      objectFile('Maps/Electric vehicle settings/Electric vehicle settings.json', {
        vehicles: [
          {
            make: ev.make,
            model: ev.model,
            batteryCapacityKwh: ev.kWh,
            plugTypes: ev.plugs,
            isDefault: true,
          },
        ],
        preferredChargingNetworks: rng.chance(0.5) ? ['Ionity', 'Fastned'] : ['Allego'],
        onlyShowCompatibleChargers: rng.chance(0.8),
        updateTime: rfc3339(settingsChangedMs(ctx)),
      }),
    ];
  },
};

const VEHICLES = [
  { make: 'Volkswagen', model: 'Golf', engine: 'GASOLINE' },
  { make: 'Toyota', model: 'Corolla Hybrid', engine: 'HYBRID' },
  { make: 'Škoda', model: 'Octavia Combi', engine: 'DIESEL' },
  { make: 'Renault', model: 'Clio', engine: 'GASOLINE' },
  { make: 'Kia', model: 'Niro', engine: 'HYBRID' },
] as const;

/**
 * The vehicle you drive, as Maps uses it for eco-friendly routing (engine type) and for vehicle-aware
 * directions. Google's Maps schema reference lists "vehicle profiles" among the exported objects (JSON).
 */
const vehicleProfile: GroupSpec = {
  spanDays: 365,
  shape: 'single',
  files(ctx) {
    const rng = settingsRng(ctx);
    const vehicle = rng.pick(VEHICLES);
    return [
      objectFile('Maps/Vehicle profile/Vehicle profile.json', {
        vehicles: [
          {
            make: vehicle.make,
            model: vehicle.model,
            engineType: vehicle.engine,
            isDefault: true,
          },
        ],
        ecoFriendlyRouting: rng.chance(0.7),
        updateTime: rfc3339(settingsChangedMs(ctx)),
      }),
    ];
  },
};

const EDITABLE_FIELDS = [
  ['Opening hours', () => 'Mo-Fr 08:00-18:00; Sa 09:00-16:00'],
  ['Phone number', () => '+31 20 555 0134'],
  ['Website', () => 'https://example.com/'],
  ['Name', () => 'new name'],
  ['Category', () => 'Coffee shop'],
  ['Permanently closed', () => 'true'],
] as const;
const EDIT_STATUSES = ['ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'PENDING', 'NOT_APPLIED'] as const;

const factualContributions = placeFeatures(
  3 * 365,
  'Maps/Suggested edits to business establishments/Suggested edits to business establishments.json',
  (place, ms, rng) => {
    const [field, value] = rng.pick(EDITABLE_FIELDS);
    return feature(place, ms, place.placeUrl, { edit: { field, proposed_value: value(), status: rng.pick(EDIT_STATUSES) } });
  },
);

const OFFERINGS = [
  'Wheelchair-accessible entrance',
  'Outdoor seating',
  'Vegetarian options',
  'Free Wi-Fi',
  'Accepts credit cards',
  'Good for kids',
  'Dogs allowed',
  'Takeaway',
  'Gender-neutral toilets',
  'Live music',
];

const offeringContributions = placeFeatures(3 * 365, 'Maps/Added dishes, products, activities/Added dishes, products, activities.json', (place, ms, rng) =>
  feature(place, ms, place.placeUrl, {
    attribute: rng.pick(OFFERINGS),
    value: rng.pick(['Yes', 'Yes', 'No']),
  }),
);

const QUESTIONS = [
  'Is there parking nearby?',
  'Do they take reservations?',
  'Is it open on Sundays?',
  'Do they have gluten-free options?',
  'Is it suitable for a group of 10?',
];
const ANSWERS = ['Yes, around the corner.', 'Only for groups.', 'Yes, from 10 am.', 'A few, ask the staff.', 'Better call ahead.'];

const questionsAnswers = placeFeatures(4 * 365, 'Maps/Questions and Answers/Questions and Answers.json', (place, ms, rng) => {
  const i = rng.int(QUESTIONS.length);
  return rng.chance(0.3)
    ? feature(place, ms, place.placeUrl, { type: 'QUESTION', question: QUESTIONS[i] })
    : feature(place, ms, place.placeUrl, { type: 'ANSWER', question: QUESTIONS[i], answer: ANSWERS[i] });
});

/** `IMG_20240301_123456.jpg` from a timestamp, as phone cameras name files. */
export function cameraFileName(prefix: string, ms: number, extension: string): string {
  const iso = rfc3339Seconds(ms);
  return `${prefix}_${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 19).replace(/:/g, '')}.${extension}`;
}

/**
 * How many of the newest photos and videos come with their files: all of them at the default record count, a
 * bounded number (and archive) for very long exports. Older ones are listed without a `file_name`.
 */
const MEDIA_WITH_FILES = 500;

/**
 * A media group: a GeoJSON metadata file (one Feature per photo or video) beside the file of every photo (a
 * small JPEG) and video (a sample-less MP4) it names, so each `file_name` in the metadata is in the archive.
 * Files are made as they are read. `describe` must depend only on its arguments so both passes agree, and put
 * the file name in the record's `properties.file_name`.
 */
export function mediaFiles(
  ctx: GroupContext,
  folder: string,
  metadataPath: string,
  describe: (k: number, ms: number, rng: Rng) => { fileName: string; isPhoto: boolean; record: { properties: Record<string, unknown> } },
): DemoFile[] {
  const withFile = (k: number): boolean => k > ctx.window.newestK - MEDIA_WITH_FILES;
  const metadata = listFile(ctx, metadataPath, GEOJSON, (k, ms, rng) => {
    const { record } = describe(k, ms, rng);
    if (withFile(k)) return record;
    const { file_name: _unlisted, ...properties } = record.properties;
    return { ...record, properties };
  });
  const media = [
    ...ctx.window.newest(MEDIA_WITH_FILES).map((k, ms, rng) => {
      const { fileName, isPhoto } = describe(k, ms, rng);
      const make = (): Uint8Array => (isPhoto ? recordJpeg(ctx.seed, k) : demoMp4(ms, (5 + (mix32(ctx.seed, k) % 26)) * 1000));
      return {
        kind: 'bytes',
        path: `${folder}/${fileName}`,
        chunks: {
          *[Symbol.iterator]() {
            yield make();
          },
        },
        count: 1,
      } satisfies DemoFile;
    }),
  ];
  return [metadata, ...media];
}

const photosVideos: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    const pool = places(ctx);
    return mediaFiles(ctx, 'Maps/Photos and videos', 'Maps/Photos and videos/Photos and videos.json', (_k, ms, rng) => {
      const place = pool.pick(rng);
      const isPhoto = rng.chance(0.9);
      const fileName = cameraFileName(isPhoto ? 'IMG' : 'VID', ms, isPhoto ? 'jpg' : 'mp4');
      const views = rng.int(5000);
      return {
        fileName,
        isPhoto,
        record: feature(place, ms, place.placeUrl, { file_name: fileName, media_type: isPhoto ? 'PHOTO' : 'VIDEO', views }),
      };
    });
  },
};

export const mapsGroups: Readonly<Record<string, GroupSpec>> = {
  'maps.aliased_places': aliasedPlaces,
  'maps.commute_routes': commuteRoutes,
  'maps.commute_settings': commuteSettings,
  'maps.ev_profile': evProfile,
  'maps.factual_contributions': factualContributions,
  'maps.offering_contributions': offeringContributions,
  'maps.photos_videos': photosVideos,
  'maps.questions_answers': questionsAnswers,
  'maps.reviews': reviews,
  'maps.starred_places': starredPlaces,
  'maps.vehicle_profile': vehicleProfile,
};
