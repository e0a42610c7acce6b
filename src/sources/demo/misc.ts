/** The remaining groups: business messages, My Maps, food orders and reservations, Shopping, Street View. */
import { JSON_ARRAY, bytesFile, listFile, windowFile, type DemoFile, type GroupSpec } from './group-spec.js';
import { euros, makePlace, placePool, round7, userProfile, type Place } from './entities.js';
import { escapeHtml } from './netscape-bookmarks.js';
import { kmz } from './kmz.js';
import { cameraFileName, mediaFiles } from './maps.js';
import { ALPHANUMERIC, CITIES, FIRST_NAMES, LAST_NAMES, MERCHANTS, PRODUCTS, REVIEW_PHRASES } from './vocab.js';
import { Rng, mix32, rfc3339 } from './timeline.js';

/** Consecutive messages belong to one conversation of about this many messages. */
const MESSAGES_PER_CONVERSATION = 8;

/**
 * Business Messages (retired by Google): one record per message, with the keys of Google's schema reference
 * ("Chat history": `application` GMM/GMB, `title` the business, `timestamp_us`, `sender`, `content_type`,
 * `content`, and `display_text`/`secondary_text` on a suggestion chip). The file name is Dataport's own.
 */
const businessMessaging: GroupSpec = {
  spanDays: 2 * 365,
  shape: 'list',
  files(ctx) {
    const places = placePool(ctx.seed, userProfile(ctx.userSeed), 64);
    const { fullName } = userProfile(ctx.userSeed);
    const userLines = [
      'Hi, are you open on Sunday?',
      'Can I book a table for 4 at 19:30?',
      'Do you deliver to my area?',
      'Thanks!',
      'Is the item in stock?',
      'Great, see you then.',
    ];
    const businessLines = [
      'Hello! Yes, from 10:00 to 16:00.',
      'Booked, see you tonight.',
      'We deliver within 5 km.',
      'You are welcome!',
      'Yes, we have 3 left.',
      'Thank you for your message, we reply within an hour.',
    ];
    const chips = [
      ['Opening hours', 'Today and this week'],
      ['Book a table', 'Pick a time'],
      ['Call us', 'Talk to the team'],
    ] as const;
    return [
      listFile(ctx, 'Business Messages/Conversations.json', JSON_ARRAY, (k, ms, rng) => {
        const conversation = Math.floor(k / MESSAGES_PER_CONVERSATION);
        const business = places.at(mix32(ctx.seed, conversation) % places.length);
        const fromUser = k % 2 === 0;
        const chip = !fromUser && rng.chance(0.2) ? rng.pick(chips) : undefined;
        return {
          // Conversations began in Google Maps (GMM) or on the business's profile (GMB).
          application: mix32(ctx.seed ^ 0x61707031, conversation) % 3 === 0 ? 'GMB' : 'GMM',
          title: business.name,
          timestamp_us: ms * 1000 + rng.int(1000),
          sender: fromUser ? fullName : business.name,
          content_type: 'TEXT',
          content: fromUser ? rng.pick(userLines) : rng.pick(businessLines),
          ...(chip ? { display_text: chip[0], secondary_text: chip[1] } : {}),
        };
      }),
    ];
  },
};

const MAP_TITLES = ['Summer road trip', 'Best coffee in town', 'Wedding venues', 'Cycling routes', 'Family visit', 'Conference week', 'Hiking weekend'];
/** KMZ files only for the newest few maps; the list itself has them all. */
const MAPS_WITH_KML = 2;

function kml(title: string, places: readonly Place[]): string {
  const placemarks = places
    .map(
      (p) =>
        `      <Placemark>\n        <name>${escapeHtml(p.name)}</name>\n        <description>${escapeHtml(p.address)}</description>\n        <Point><coordinates>${p.lng},${p.lat},0</coordinates></Point>\n      </Placemark>\n`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n  <Document>\n' +
    `    <name>${escapeHtml(title)}</name>\n    <Folder>\n      <name>Places</name>\n${placemarks}    </Folder>\n  </Document>\n</kml>\n`
  );
}

const myMaps: GroupSpec = {
  spanDays: 6 * 365,
  shape: 'list',
  files(ctx) {
    const profile = userProfile(ctx.userSeed);
    // k * 3 modulo 7 titles: consecutive maps never share a title, so their KMZ files never share a path.
    const titleOf = (k: number): string => MAP_TITLES[(k * 3) % MAP_TITLES.length]!;
    const idOf = (k: number): string => new Rng(mix32(ctx.seed ^ 0x6d617073, k)).chars(ALPHANUMERIC, 28);
    const list = listFile(ctx, 'My Maps/My Maps.json', JSON_ARRAY, (k, ms, rng) => ({
      title: titleOf(k),
      description: rng.chance(0.5) ? `Made with ${rng.pick(FIRST_NAMES)}` : '',
      url: `https://www.google.com/maps/d/edit?mid=${idOf(k)}`,
      layers: rng.between(1, 4),
      places: rng.between(2, 25),
      createTime: rfc3339(ms),
      updateTime: rfc3339(Math.min(ctx.nowMs, ms + rng.int(90) * 86_400_000)),
    }));
    const files: DemoFile[] = [list];
    for (const k of ctx.window.newest(MAPS_WITH_KML).map((k) => k)) {
      const rng = new Rng(mix32(ctx.seed ^ 0x6b6d6c00, k));
      const city = rng.chance(0.5) ? profile.homeCity : rng.pick(CITIES);
      const places = Array.from({ length: rng.between(2, 8) }, () => makePlace(rng, city));
      // My Maps exports a map as `<map>/<map>.kmz`: a ZIP holding `doc.kml`.
      files.push(bytesFile(`My Maps/${titleOf(k)}/${titleOf(k)}.kmz`, kmz(kml(titleOf(k), places), ctx.window.timeline.timeOf(k))));
    }
    return files;
  },
};

const DISHES = [
  ['Margherita pizza', 1150],
  ['Pad thai', 1390],
  ['Falafel wrap', 850],
  ['Ramen tonkotsu', 1450],
  ['Caesar salad', 1050],
  ['Burrito bowl', 1250],
  ['Sushi set (12 pcs)', 1890],
  ['Lemonade', 350],
] as const;

const ordersReservations: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx) {
    const places = placePool(ctx.seed, userProfile(ctx.userSeed), 64);
    return [
      listFile(ctx, 'Purchases & Reservations/Orders and reservations.json', JSON_ARRAY, (_k, ms, rng) => {
        const merchant = places.pick(rng);
        const orderId = `${rng.between(100, 999)}-${rng.between(1000000, 9999999)}-${rng.between(1000000, 9999999)}`;
        if (rng.chance(0.3)) {
          return {
            orderId,
            type: 'RESERVATION',
            merchant: { name: merchant.name, address: merchant.address },
            status: rng.pick(['CONFIRMED', 'CONFIRMED', 'CANCELLED']),
            reservation: { partySize: rng.between(2, 8), reservationTime: rfc3339(ms + rng.between(1, 14) * 86_400_000) },
            creationTime: rfc3339(ms),
          };
        }
        let totalCents = 0;
        const items = Array.from({ length: rng.between(1, 4) }, () => {
          const [name, cents] = rng.pick(DISHES);
          const quantity = rng.between(1, 2);
          totalCents += quantity * cents;
          return { name, quantity, price: euros(cents) };
        });
        return {
          orderId,
          type: 'FOOD_ORDER',
          merchant: { name: merchant.name, address: merchant.address },
          status: rng.pick(['DELIVERED', 'DELIVERED', 'DELIVERED', 'PICKED_UP', 'CANCELLED']),
          items,
          totalPrice: euros(totalCents),
          creationTime: rfc3339(ms),
        };
      }),
    ];
  },
};

const shoppingAddresses: GroupSpec = {
  spanDays: 8 * 365,
  shape: 'list',
  files(ctx) {
    const profile = userProfile(ctx.userSeed);
    return [
      listFile(ctx, 'Google Shopping/Addresses/Addresses.json', JSON_ARRAY, (_k, ms, rng) => {
        const city = rng.chance(0.6) ? profile.homeCity : rng.pick(CITIES);
        const self = rng.chance(0.6);
        return {
          recipientName: self ? profile.fullName : `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
          addressLines: [`${rng.pick(city.streets)} ${rng.between(1, 240)}`],
          locality: city.name,
          postalCode: city.postcode,
          regionCode: city.countryCode,
          phoneNumber: self ? profile.phone : `${city.phonePrefix} ${rng.between(100, 999)} ${rng.between(1000, 9999)}`,
          lastUsedTime: rfc3339(ms),
        };
      }),
    ];
  },
};

/**
 * Shopping reviews in Takeout's folders: `Google Shopping/Product Reviews/Product Reviews` and `Merchant
 * Reviews/Merchant Reviews`; the group's records are shared between them, about three in ten merchant reviews.
 */
const shoppingReviews: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    const merchantCount = Math.floor((ctx.window.count * 3) / 10);
    const review = (product: boolean) => (_k: number, ms: number, rng: Rng) => {
      const rating = rng.pick([5, 5, 4, 4, 3, 2, 1]);
      return {
        ...(product ? { productTitle: rng.pick(PRODUCTS) } : {}),
        merchantName: rng.pick(MERCHANTS),
        rating,
        title: rating >= 4 ? rng.pick(['Very happy', 'Does the job', 'Great value']) : rng.pick(['Disappointed', 'Arrived late', 'Not as described']),
        text: rng.pick(REVIEW_PHRASES),
        createTime: rfc3339(ms),
      };
    };
    return [
      windowFile(ctx.window.newest(ctx.window.count - merchantCount), 'Google Shopping/Product Reviews/Product Reviews.json', JSON_ARRAY, review(true)),
      windowFile(
        ctx.subWindow('merchant-reviews', 4 * 365, merchantCount),
        'Google Shopping/Merchant Reviews/Merchant Reviews.json',
        JSON_ARRAY,
        review(false),
      ),
    ];
  },
};

const streetView: GroupSpec = {
  spanDays: 5 * 365,
  shape: 'list',
  files(ctx) {
    const places = placePool(ctx.seed, userProfile(ctx.userSeed), 64);
    return mediaFiles(ctx, 'Street View', 'Street View/Street View.json', (_k, ms, rng) => {
      const place = places.pick(rng);
      const fileName = cameraFileName('PANO', ms, 'jpg');
      return {
        fileName,
        isPhoto: true,
        record: {
          geometry: { coordinates: [round7(place.lng + (rng.float() - 0.5) * 1e-3), round7(place.lat + (rng.float() - 0.5) * 1e-3)], type: 'Point' },
          properties: {
            capture_time: rfc3339(ms),
            file_name: fileName,
            heading: rng.int(360),
            publish_status: rng.pick(['PUBLISHED', 'PUBLISHED', 'PUBLISHED', 'PROCESSING', 'REJECTED']),
            views: rng.int(20000),
            google_maps_url: place.placeUrl,
          },
          type: 'Feature',
        },
      };
    });
  },
};

const PIXEL_MODELS = [
  { model: 'Pixel 8', codename: 'shiba' },
  { model: 'Pixel 8 Pro', codename: 'husky' },
  { model: 'Pixel 9', codename: 'tokay' },
  { model: 'Pixel Watch 2', codename: 'eos' },
  { model: 'Pixel Tablet', codename: 'tangorpro' },
] as const;
const PIXEL_REPORTS = ['BATTERY_USAGE', 'APP_CRASH', 'THERMAL_THROTTLING', 'CONNECTIVITY', 'STORAGE'] as const;

/**
 * Usage and diagnostic data from eligible Pixel devices (Google's Pixel schema reference: one exported object,
 * "Pixel", JSON). One record per daily report of one device.
 */
const pixelDeviceData: GroupSpec = {
  spanDays: 365,
  shape: 'list',
  files(ctx) {
    const devices = Array.from({ length: 2 }, (_, i) => {
      const rng = new Rng(mix32(ctx.userSeed, 0x70697800 + i));
      const m = PIXEL_MODELS[(mix32(ctx.userSeed, 0x70697865) + i * 3) % PIXEL_MODELS.length]!;
      return { ...m, serial: rng.chars('0123456789ABCDEF', 14) };
    });
    return [
      listFile(ctx, 'Pixel/Device data.json', JSON_ARRAY, (_k, ms, rng) => {
        const device = devices[rng.int(devices.length)]!;
        const type = rng.pick(PIXEL_REPORTS);
        const details: Record<string, unknown> =
          type === 'BATTERY_USAGE'
            ? { screenOnMinutes: rng.between(30, 420), dischargePercent: rng.between(10, 95), batteryHealthPercent: rng.between(80, 100) }
            : type === 'APP_CRASH'
              ? {
                  packageName: rng.pick([
                    'com.google.android.apps.photos',
                    'com.google.android.GoogleCamera',
                    'com.android.chrome',
                    'com.google.android.youtube',
                  ]),
                  crashCount: rng.between(1, 3),
                }
              : type === 'THERMAL_THROTTLING'
                ? { maxSkinTemperatureCelsius: rng.between(38, 47), throttledMinutes: rng.between(1, 25) }
                : type === 'CONNECTIVITY'
                  ? { wifiDisconnects: rng.between(0, 12), mobileDataMegabytes: rng.between(20, 2400) }
                  : { freeStorageBytes: rng.between(4, 96) * 1_073_741_824, totalStorageBytes: 128 * 1_073_741_824 };
        return {
          device: {
            model: device.model,
            codename: device.codename,
            serialNumber: device.serial,
            buildFingerprint: `google/${device.codename}/${device.codename}:15/AP4A.250105.002/12701944:user/release-keys`,
          },
          reportType: type,
          reportTime: rfc3339(ms),
          details,
        };
      }),
    ];
  },
};

export const miscGroups: Readonly<Record<string, GroupSpec>> = {
  'businessmessaging.conversations': businessMessaging,
  'mymaps.maps': myMaps,
  'order_reserve.purchases_reservations': ordersReservations,
  'pixel.device_data': pixelDeviceData,
  'shopping.addresses': shoppingAddresses,
  'shopping.reviews': shoppingReviews,
  'streetview.imagery': streetView,
};
