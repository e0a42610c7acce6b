/**
 * Google Play Store groups, as Takeout's `Google Play Store/` folder: JSON arrays whose items wrap one object
 * under a kind key (`[{"install": {...}}]`, `[{"purchaseHistory": {...}}]`).
 */
import { JSON_ARRAY, listFile, settingsChangedMs, type GroupContext, type GroupSpec } from './group-spec.js';
import { euros, userProfile } from './entities.js';
import { Rng, makePool, mix32, rfc3339, type Pool } from './timeline.js';
import { APPS, BOOKS, CARRIERS, DEVICES, MOVIES, type App } from './vocab.js';

const FOLDER = 'Google Play Store';

type Device = (typeof DEVICES)[number];

/** The two or three Android devices a user owns; shared by installs and devices. */
function userDevices(ctx: GroupContext): Pool<Device> {
  return makePool(ctx.userSeed ^ 0x64657673, 3, (rng) => rng.pick(DEVICES));
}

function appDoc(app: App): { documentType: string; title: string } {
  return { documentType: 'Android Apps', title: app.title };
}

function paymentMethod(rng: Rng): string {
  return rng.pick(['Visa', 'Mastercard', 'PayPal', 'Google Play balance']) + (rng.chance(0.7) ? `-${rng.between(1000, 9999)}` : '');
}

const installs: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    const devices = userDevices(ctx);
    return [
      listFile(ctx, `${FOLDER}/Installs.json`, JSON_ARRAY, (_k, ms, rng) => {
        const device = devices.pick(rng);
        return {
          install: {
            doc: appDoc(rng.pick(APPS)),
            firstInstallationTime: rfc3339(ms),
            deviceAttribute: {
              model: device.model,
              carrier: rng.pick(CARRIERS),
              manufacturer: device.manufacturer,
              deviceDisplayName: `${device.manufacturer} ${device.model}`,
            },
            lastUpdateTime: rfc3339(Math.min(ctx.nowMs, ms + rng.int(300) * 86_400_000)),
          },
        };
      }),
    ];
  },
};

const library: GroupSpec = {
  spanDays: 5 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Library.json`, JSON_ARRAY, (_k, ms, rng) => {
        const r = rng.float();
        const doc =
          r < 0.7 ? appDoc(rng.pick(APPS)) : r < 0.85 ? { documentType: 'Book', title: rng.pick(BOOKS) } : { documentType: 'Movie', title: rng.pick(MOVIES) };
        return { libraryDoc: { doc, acquisitionTime: rfc3339(ms) } };
      }),
    ];
  },
};

const purchases: GroupSpec = {
  spanDays: 5 * 365,
  shape: 'list',
  files(ctx) {
    const { homeCity } = userProfile(ctx.userSeed);
    return [
      listFile(ctx, `${FOLDER}/Purchase History.json`, JSON_ARRAY, (_k, ms, rng) => {
        const book = rng.chance(0.2);
        return {
          purchaseHistory: {
            invoicePrice: euros(rng.pick([99, 199, 299, 499, 999, 1499])),
            paymentMethodTitle: paymentMethod(rng),
            userLanguageCode: 'en',
            userCountry: homeCity.countryCode,
            doc: book ? { documentType: 'Book', title: rng.pick(BOOKS) } : appDoc(rng.pick(APPS)),
            purchaseTime: rfc3339(ms),
          },
        };
      }),
    ];
  },
};

/** Google writes a billing period as `{unit, count}`: `{"unit": "MONTH", "count": 1}`. */
function billingPeriod(rng: Rng): { unit: 'WEEK' | 'MONTH' | 'YEAR'; count: number } {
  const r = rng.float();
  return r < 0.65 ? { unit: 'MONTH', count: 1 } : r < 0.9 ? { unit: 'YEAR', count: 1 } : r < 0.95 ? { unit: 'MONTH', count: 3 } : { unit: 'WEEK', count: 1 };
}

function periodDays(period: { unit: string; count: number }): number {
  return period.count * (period.unit === 'YEAR' ? 365 : period.unit === 'MONTH' ? 30 : 7);
}

/**
 * Takeout's `Subscriptions.json`: the current `period` and `price` at the top, `pricing` phases (a free trial,
 * then the repeating price) each with its `period` object, and `userChangeRecord` (Purchase, Cancel).
 */
const subscriptions: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Subscriptions.json`, JSON_ARRAY, (_k, ms, rng) => {
        const active = rng.chance(0.4);
        const period = billingPeriod(rng);
        const days = periodDays(period);
        const price = euros(days >= 365 ? rng.pick([2999, 4999, 5999]) : days >= 30 ? rng.pick([299, 499, 999, 1299]) * period.count : rng.pick([199, 399]));
        const trial = rng.chance(0.3);
        const cycles = rng.between(1, 12);
        const started = ms;
        const renewal = Math.min(ctx.nowMs + days * 86_400_000, started + (cycles * days + (trial ? 7 : 0)) * 86_400_000);
        const canceled = Math.min(ctx.nowMs, started + Math.floor(rng.float() * cycles * days) * 86_400_000 + 86_400_000);
        return {
          subscription: {
            doc: {
              documentType: 'Subscription',
              title: `${rng.pick(APPS).title} ${period.unit === 'YEAR' ? 'Annual' : period.unit === 'WEEK' ? 'Weekly' : 'Monthly'}`,
            },
            period,
            price,
            ...(active ? { renewalDate: rfc3339(renewal) } : {}),
            pricing: [...(trial ? [{ period: { unit: 'DAY', count: 7 }, price: euros(0) }] : []), { period, price, repeatedPricing: true }],
            userChangeRecord: [...(active ? [] : [{ date: rfc3339(canceled), type: 'Cancel' }]), { date: rfc3339(started), type: 'Purchase' }],
            state: active ? 'Active' : 'Canceled',
          },
        };
      }),
    ];
  },
};

/** Google Play Store version codes, as `playStoreClientVersion` carries them. */
const PLAY_STORE_VERSIONS = [83011910, 83721310, 84032110, 84422700, 84630100];
const ABIS = ['arm64-v8a', 'armeabi-v7a', 'armeabi'];

/**
 * Takeout's `Devices.json`: `deviceRegistrationTime`, `userAddedOnDeviceTime`, `lastTimeDeviceActive`, and two
 * snapshots of the device (`mostRecentData`, `dataAtTimeOfUserPlayActivity`) in which `androidSdkVersion` and
 * `totalMemoryBytes` are strings and `userLocale` sits.
 */
const devices: GroupSpec = {
  spanDays: 8 * 365,
  shape: 'list',
  files(ctx) {
    const { homeCity } = userProfile(ctx.userSeed);
    return [
      listFile(ctx, `${FOLDER}/Devices.json`, JSON_ARRAY, (_k, ms, rng) => {
        const device = rng.pick(DEVICES);
        const carrier = rng.pick(CARRIERS);
        const fingerprint = `${device.retailBrand.toLowerCase()}/${device.deviceName}/${device.deviceName}:${device.sdk - 20}/AP1A.240505.005/${rng.between(10_000_000, 12_999_999)}:user/release-keys`;
        const snapshot = (sdk: number, version: number) => ({
          carrierName: carrier,
          manufacturer: device.manufacturer,
          modelName: device.model,
          deviceName: device.deviceName,
          productName: device.deviceName,
          retailBrand: device.retailBrand,
          totalMemoryBytes: String(device.ramBytes),
          nativePlatform: ABIS,
          deviceIpCountry: homeCity.countryCode,
          userLocale: `en_${homeCity.countryCode}`,
          buildFingerprint: fingerprint,
          androidSdkVersion: String(sdk),
          playStoreClientVersion: version,
        });
        const versionIndex = rng.int(PLAY_STORE_VERSIONS.length);
        const registered = rfc3339(ms);
        return {
          device: {
            mostRecentData: snapshot(device.sdk, PLAY_STORE_VERSIONS[versionIndex]!),
            dataAtTimeOfUserPlayActivity: snapshot(device.sdk - (rng.chance(0.4) ? 1 : 0), PLAY_STORE_VERSIONS[Math.max(0, versionIndex - 1)]!),
            deviceRegistrationTime: registered,
            userAddedOnDeviceTime: registered,
            lastTimeDeviceActive: rfc3339(Math.min(ctx.nowMs, ms + rng.int(2 * 365) * 86_400_000)),
          },
        };
      }),
    ];
  },
};

const GROUPING_TAGS = ['recently_played', 'continue_reading', 'loyalty_member', 'trial_user', 'preregistered', 'tournament_2024'];

const grouping: GroupSpec = {
  spanDays: 2 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Grouping.json`, JSON_ARRAY, (_k, ms, rng) => {
        const app = rng.pick(APPS);
        return { grouping: { tag: rng.pick(GROUPING_TAGS), packageName: app.packageName, appTitle: app.title, createTime: rfc3339(ms) } };
      }),
    ];
  },
};

const playPoints: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Play Points.json`, JSON_ARRAY, (_k, ms, rng) => {
        const earned = rng.chance(0.8);
        const app = rng.pick(APPS);
        return {
          playPointsTransaction: {
            transactionTime: rfc3339(ms),
            points: earned ? rng.between(1, 150) : -rng.pick([100, 250, 500]),
            description: earned ? `Purchase in ${app.title}` : 'Redeemed for Google Play credit',
            level: rng.pick(['Bronze', 'Silver', 'Gold']),
          },
        };
      }),
    ];
  },
};

const promotions: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Promotion History.json`, JSON_ARRAY, (_k, ms, rng) => {
        const app = rng.pick(APPS);
        return {
          promotionHistory: {
            promotionDescription: rng.pick([`50% off ${app.title} Premium`, `Free trial of ${app.title}`, '€1 off your next purchase']),
            promotionType: rng.pick(['DISCOUNT', 'FREE_TRIAL', 'CREDIT']),
            doc: appDoc(app),
            redeemTime: rfc3339(ms),
          },
        };
      }),
    ];
  },
};

const redemptions: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Redemption History.json`, JSON_ARRAY, (_k, ms, rng) => ({
        redemptionHistory: {
          redemptionTime: rfc3339(ms),
          codeType: rng.pick(['Gift card', 'Promo code']),
          value: euros(rng.pick([500, 1000, 1500, 2500])),
          code: `${rng.chars('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', 4)}-XXXX-XXXX-XXXX`,
        },
      })),
    ];
  },
};

/**
 * Takeout's `Play Settings.json`: a JSON array of `{"userSetting": {...}}` items, one per setting.
 */
const userSettings: GroupSpec = {
  spanDays: 365,
  shape: 'single',
  files(ctx) {
    const rng = new Rng(mix32(ctx.seed, 0x73657474));
    const settings = [
      { marketingPreferences: { wantsMultiContentEmail: rng.chance(0.3) } },
      { autoUpdateApps: rng.pick(['OVER_WIFI_ONLY', 'OVER_ANY_NETWORK', 'DO_NOT_AUTO_UPDATE']) },
      { requireAuthenticationForPurchases: rng.pick(['ALWAYS', 'EVERY_30_MINUTES', 'NEVER']) },
      { biometricAuthentication: rng.chance(0.6) },
      { parentalControls: { enabled: rng.chance(0.1) } },
    ].map((userSetting) => ({ userSetting }));
    settingsChangedMs(ctx); // keeps the settings timeline's draws, so other values stay as they were
    return [{ kind: 'records', path: `${FOLDER}/Play Settings.json`, format: JSON_ARRAY, records: settings, count: settings.length }];
  },
};

export const playGroups: Readonly<Record<string, GroupSpec>> = {
  'play.devices': devices,
  'play.grouping': grouping,
  'play.installs': installs,
  'play.library': library,
  'play.playpoints': playPoints,
  'play.promotions': promotions,
  'play.purchases': purchases,
  'play.redemptions': redemptions,
  'play.subscriptions': subscriptions,
  'play.usersettings': userSettings,
};
